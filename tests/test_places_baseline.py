"""A store's baseline settlements that the gazetteer lacks are places the geocoder knows at ingest.

Every village and sentence here is written for frontwatch: the baseline-only villages are invented
(Verbove Pole, Sosnova Balka, Kryva Hreblia), the namesakes are gazetteer villages far from them,
and the person-named villages are invented too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_places_cases import one as _one
from test_places_cases import places as _places

from frontwatch.gazetteer import Gazetteer, get_gazetteer
from frontwatch.gazetteer.augment import ExtraPlace, baseline_places, is_overlay, store_gazetteer, with_places
from frontwatch.store.base import BaselineRow

DAY = dt.date(2023, 6, 1)
# Invented villages the gazetteer does not hold, with their own coordinates.
OWN = {
    "Verbove Pole": (47.52, 35.61),    # Zaporizhzhia oblast
    "Sosnova Balka": (48.05, 37.30),   # Donetsk oblast
    "Kryva Hreblia": (46.90, 33.40),   # Kherson oblast
}
OWN_REGION = {"Verbove Pole": "Zaporizhzhia", "Sosnova Balka": "Donetsk", "Kryva Hreblia": "Kherson"}
# Invented villages named like people.
PERSONS = {"Yarema": (46.95, 33.05), "Ostap": (47.05, 33.20), "Lukian": (47.20, 33.10), "Severyn": (47.10, 33.30)}


def _rows(names: dict[str, tuple[float, float]], controller: str = "RU") -> list[BaselineRow]:
    return [BaselineRow(n, controller, DAY, None, lat, lon) for n, (lat, lon) in names.items()]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def own_gaz(gaz: Gazetteer) -> Gazetteer:
    return with_places(gaz, baseline_places(_rows(OWN) + _rows(PERSONS) + [
        BaselineRow("Zhuravka", "UA", DAY, None, 47.70, 36.90),   # a namesake of two gazetteer villages
        BaselineRow("Varva", "UA", DAY, None, 47.30, 35.90),      # a namesake of a Chernihiv town
    ], gaz))


# --- the baseline's own villages are found, at the row's place ------------------------------------
@pytest.mark.parametrize("name", sorted(OWN))
def test_baseline_village_resolves_at_the_rows_point(name: str, gaz: Gazetteer, own_gaz: Gazetteer) -> None:
    text = f"Russian artillery shelled {name} overnight, the regional governor said."
    # the gazetteer alone does not know it (no mention, or one without a place)
    assert all(m.latitude is None for m in _places(text, gaz) if m.mention == name)
    m = _one(text, name, own_gaz)
    assert (m.name, m.latitude, m.longitude, m.geonames_id) == (name, *OWN[name], None)
    assert m.admin1 == OWN_REGION[name] and m.country == "UA"  # the region of its neighbours


@pytest.mark.parametrize("text,spelling,name", [
    ("Fighting continued in Sosnovaya Balka on Sunday.", "Sosnovaya Balka", "Sosnova Balka"),
    ("Russian forces shelled Sosnovaya Balka overnight.", "Sosnovaya Balka", "Sosnova Balka"),
    ("Troops advanced towards Sosnovaya Balka on Friday.", "Sosnovaya Balka", "Sosnova Balka"),
])
def test_russian_style_spelling_of_a_baseline_village(text: str, spelling: str, name: str,
                                                      own_gaz: Gazetteer) -> None:
    m = _one(text, spelling, own_gaz)
    assert (m.latitude, m.longitude) == OWN[name]


@pytest.mark.parametrize("text,name", [
    ("The village of Kryva Hreblia was shelled on Friday.", "Kryva Hreblia"),
    ("Russian artillery shelled Kryva Hreblia overnight.", "Kryva Hreblia"),
    ("Civilians were evacuated from Kryva Hreblia village on Monday.", "Kryva Hreblia"),
    ("Russian troops had withdrawn from Kryva Hreblia by noon.", "Kryva Hreblia"),
    ("Russian troops were pushed out of Kryva Hreblia on Sunday.", "Kryva Hreblia"),
])
def test_a_village_the_ner_calls_a_person_is_a_place_where_the_text_says_so(text: str, name: str,
                                                                           own_gaz: Gazetteer) -> None:
    m = _one(text, name, own_gaz)
    assert (m.latitude, m.longitude) == OWN[name]


# --- never at the expense of a namesake the text points to -----------------------------------------
@pytest.mark.parametrize("text,mention,region", [
    ("Ukrainian troops recaptured Zhuravka, a village near Pryluky, on Monday.", "Zhuravka", "Chernihiv"),
    ("Shelling hit Ladan and Varva, local officials said.", "Varva", "Chernihiv"),
    ("Drones struck Zhuravka and Nova Karakuba overnight.", "Zhuravka", None),
])
def test_namesake_elsewhere_is_not_confused(text: str, mention: str, region: str | None, gaz: Gazetteer,
                                            own_gaz: Gazetteer) -> None:
    m = _one(text, mention, own_gaz)
    if region is None:
        # beside a town near the baseline's Zhuravka: that one, not the gazetteer's namesakes
        assert (m.latitude, m.longitude, m.geonames_id) == (47.70, 36.90, None)
    else:
        assert m.geonames_id is not None and m.admin1 == region
        assert m.geonames_id == _one(text, mention, gaz).geonames_id  # what the gazetteer alone says


def test_bigger_namesake_in_the_reports_region_wins(own_gaz: Gazetteer) -> None:
    # The baseline's Varva is a village in the south; the text is about the Chernihiv region's town.
    m = _one("Air raid sirens sounded in Varva in the Chernihiv region on Tuesday.", "Varva", own_gaz)
    assert m.admin1 == "Chernihiv" and m.geonames_id is not None


def test_ties_still_abstain(own_gaz: Gazetteer) -> None:
    # Alone in a text, three Zhuravkas with nothing to choose by: no guess, as before.
    m = _one("Russian forces shelled Zhuravka on Friday.", "Zhuravka", own_gaz)
    assert m.latitude is None


# --- a person's name is not the village ---------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Yarema said Russian forces had pulled out of the area.",
    "Residents told Lukian that Russian forces withdrew on Sunday.",
    "Ostap, a volunteer medic, said Ukrainian troops recaptured the village.",
    "According to Severyn, Russian troops captured the bridge.",
    "Russian soldiers detained Yarema Koval near the school.",
])
def test_person_named_like_a_baseline_village(text: str, own_gaz: Gazetteer) -> None:
    for m in _places(text, own_gaz):
        assert (m.latitude, m.longitude) not in PERSONS.values(), (m.mention, m.reason)


def test_person_named_village_is_still_a_place_where_the_text_says_so(own_gaz: Gazetteer) -> None:
    m = _one("Heavy fighting was reported in Ostap and Kryva Hreblia on Monday.", "Ostap", own_gaz)
    assert (m.latitude, m.longitude) == PERSONS["Ostap"]


# --- one settlement, one place; the shared gazetteer untouched ---------------------------------------
def test_a_gazetteer_settlement_is_not_added_twice(gaz: Gazetteer) -> None:
    near = gaz.lookup("Pryluky")[0].place
    rows = [
        BaselineRow("Pryluky", "UA", DAY, None, near.latitude + 0.03, near.longitude - 0.02),  # ~4 km off
        BaselineRow("Pryluky", "UA", DAY, near.geonames_id, None, None),
        BaselineRow("Verbove Pole", "UA", DAY, None, *OWN["Verbove Pole"]),
        BaselineRow("Verbove Pole", "RU", DAY + dt.timedelta(days=9), None, *OWN["Verbove Pole"]),  # same row key
        BaselineRow("Sosnova Balka", "UA", DAY, None, None, None),  # nowhere to put it
    ]
    assert [p.name for p in baseline_places(rows, gaz)] == ["Verbove Pole"]


def test_a_rows_own_geonames_id_is_kept(gaz: Gazetteer) -> None:
    extra = baseline_places([BaselineRow("Kryva Hreblia", "UA", DAY, 990001234, *OWN["Kryva Hreblia"])], gaz)
    m = _one("Russian forces shelled Kryva Hreblia on Monday.", "Kryva Hreblia", with_places(gaz, extra))
    assert m.geonames_id == 990001234


def test_the_shared_gazetteer_and_its_cache_stay_as_they_were(gaz: Gazetteer, own_gaz: Gazetteer) -> None:
    assert gaz.path is not None
    before = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in gaz.path.parent.iterdir())
    n = len(gaz)
    bigger = with_places(gaz, (ExtraPlace("Dubova Rudka", (), 0, 49.1, 36.2),))
    assert len(bigger) == n + 1 and bigger.lookup("Dubova Rudka") and is_overlay(bigger, bigger.place(n))
    assert len(gaz) == n and not gaz.lookup("Dubova Rudka") and not gaz.lookup("Verbove Pole")
    assert own_gaz.path is None
    assert sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in gaz.path.parent.iterdir()) == before


# --- through ingest: the baseline village moves on the map ------------------------------------------
def _ingest(store, items: list[tuple[str, str, str]]) -> None:  # noqa: ANN001
    from frontwatch.ingest import make_report
    from frontwatch.service import ingest_reports

    ingest_reports([make_report(text, dt.date.fromisoformat(day), source=src) for day, text, src in items], store)


@pytest.mark.parametrize("name", sorted(OWN))
def test_a_report_moves_a_baseline_only_village(name: str, tmp_path: Path) -> None:
    from frontwatch.fusion import control_on
    from frontwatch.store import open_store

    with open_store(str(tmp_path / "b.db")) as store:
        store.import_baseline(_rows({name: OWN[name]}, "RU"))
        _ingest(store, [("2023-06-05", f"Russia's defence ministry announced that its units had withdrawn from {name} to "
                                       "more advantageous positions.", "TASS")])
        [state] = [s for s in control_on(store, dt.date(2023, 6, 6)) if s.place == name]
        assert state.controller == "UA" and (state.latitude, state.longitude) == OWN[name]
        assert state.geonames_id is None


def test_a_person_named_like_a_baseline_village_moves_nothing(tmp_path: Path) -> None:
    from frontwatch.fusion import control_on
    from frontwatch.store import open_store

    with open_store(str(tmp_path / "p.db")) as store:
        store.import_baseline(_rows(PERSONS, "RU"))
        _ingest(store, [
            ("2023-06-05", "Yarema said Russian troops had withdrawn from the village on Monday.", "Ukrinform"),
            ("2023-06-06", "Ostap, a volunteer driver, said Ukrainian forces had recaptured the village.", "BBC"),
        ])
        states = {s.place: s.controller for s in control_on(store, dt.date(2023, 6, 8))}
        assert states["Yarema"] == "RU" and states["Ostap"] == "RU"


def test_store_gazetteer_without_a_baseline_is_the_loaded_one(tmp_path: Path) -> None:
    from frontwatch.store import open_store

    with open_store(str(tmp_path / "e.db")) as store:
        gz, extra = store_gazetteer(store)
        assert gz is get_gazetteer() and extra == ()


# --- "the Sea of X" is the water, not a town (nor a baseline village) of that name --------------------
@pytest.mark.parametrize("text", [
    "Russian submarines patrol the Sea of Okhotsk.",
    "Missiles were fired from the Sea of Okhotsk on Friday.",
    "Two warships left the Sea of Okhotsk for the Pacific.",
])
def test_sea_of_a_name_is_water(text: str, gaz: Gazetteer) -> None:
    assert all(m.latitude is None for m in _places(text, gaz) if m.mention == "Okhotsk")


def test_the_town_is_still_the_town(gaz: Gazetteer) -> None:
    assert _one("Shelling was reported in Okhotsk and Trieste on Sunday.", "Trieste", gaz).latitude is not None


# --- a baseline imported after the reports: the reports naming its villages are read again -----------
def test_baseline_imported_after_the_reports_rereads_the_reports_naming_its_villages(tmp_path: Path) -> None:
    from frontwatch.fusion import control_on
    from frontwatch.gazetteer.augment import store_gazetteer
    from frontwatch.service import reread_for_baseline
    from frontwatch.store import open_store

    with open_store(str(tmp_path / "late.db")) as store:
        _ingest(store, [
            ("2023-06-05", "Russia's defence ministry announced that its units had withdrawn from Sosnova Balka to more "
                           "advantageous positions.", "TASS"),
            ("2023-06-06", "Ukrainian forces reached the outskirts of Sosnovaya Balka, the general staff said.",
             "Ukrinform"),
            ("2023-06-06", "Shelling continued near Pryluky overnight, the regional governor said.", "Suspilne"),
        ])
        assert not [s for s in control_on(store, dt.date(2023, 6, 7)) if s.latitude == OWN["Sosnova Balka"][0]]
        _, before = store_gazetteer(store)
        store.import_baseline(_rows({"Sosnova Balka": OWN["Sosnova Balka"]}, "RU"))
        again = reread_for_baseline(store, before)
        assert (again.settlements, again.new, again.reports) == (1, 1, 2)  # the text's name, and its respelling
        [state] = [s for s in control_on(store, dt.date(2023, 6, 7)) if s.place == "Sosnova Balka"]
        assert state.controller == "UA" and (state.latitude, state.longitude) == OWN["Sosnova Balka"]
        # importing the same settlement again reads nothing again
        store.import_baseline(_rows({"Sosnova Balka": OWN["Sosnova Balka"]}, "RU"))
        assert reread_for_baseline(store, store_gazetteer(store)[1]).reports == 0


def test_replace_extraction_puts_a_reports_places_and_events_anew(store) -> None:  # noqa: ANN001
    from frontwatch.ingest import make_report
    from frontwatch.pipeline import extract_report

    rep = make_report("Russian artillery shelled Sosnova Balka overnight, the regional governor said.", DAY)
    first = extract_report(rep)
    assert store.add_extraction(first) == "new"
    gz = with_places(get_gazetteer(), (ExtraPlace("Sosnova Balka", (), 0, *OWN["Sosnova Balka"]),))
    second = extract_report(rep, gazetteer=gz)
    assert store.replace_extraction(second)
    got = [m for _, m in store.place_mentions(rep.report_id)]
    assert [(m.mention, m.latitude) for m in got] == [(m.mention, m.latitude) for m in second.places]
    assert any(m.latitude == OWN["Sosnova Balka"][0] for m in got)
    assert sorted(e.event_id for e in store.events()) == sorted(e.event_id for e in second.events)
    assert [e.location.latitude for e in store.events()] == [e.location.latitude for e in second.events]
    assert store.counts()["reports"] == 1
    other = extract_report(make_report("Nothing happened in Pryluky today.", DAY))
    assert store.replace_extraction(other) is False and store.counts()["reports"] == 1


def test_worker_processes_read_against_the_same_settlements() -> None:
    from frontwatch.ingest import make_report
    from frontwatch.pipeline import extract_reports
    from frontwatch.scale.workers import extract_parallel

    extra = (ExtraPlace("Verbove Pole", (), 0, *OWN["Verbove Pole"]), ExtraPlace("Kryva Hreblia", (), 0,
                                                                                 *OWN["Kryva Hreblia"]))
    reports = [make_report(t, DAY) for t in (
        "Russian artillery shelled Verbove Pole overnight.",
        "Ukrainian troops entered Kryva Hreblia on Sunday, the general staff said.",
        "Fighting went on near Verbove Pole and Kryva Hreblia.",
    )]
    got = list(extract_parallel(reports, workers=2, chunk_size=1, extra_places=extra))
    want = list(extract_reports(reports, gazetteer=with_places(get_gazetteer(), extra)))
    assert [[(m.mention, m.latitude) for m in x.places] for x in got] == \
        [[(m.mention, m.latitude) for m in x.places] for x in want]
    assert sum(m.latitude in (OWN["Verbove Pole"][0], OWN["Kryva Hreblia"][0]) for x in got for m in x.places) >= 3


@pytest.mark.parametrize("town,dlat,dlon", [("Pryluky", 0.06, 0.02), ("Varva", -0.03, 0.08), ("Ladan", 0.0, -0.12)])
def test_a_row_a_few_km_from_its_gazetteer_settlement_is_that_settlement(town: str, dlat: float, dlon: float,
                                                                         tmp_path: Path) -> None:
    # Lists place a village a few km from where GeoNames does (here 5-9 km): one settlement, one dot.
    from frontwatch.fusion import control_on
    from frontwatch.gazetteer import haversine_km
    from frontwatch.store import open_store

    p = get_gazetteer().lookup(town)[0].place
    lat, lon = round(p.latitude + dlat, 4), round(p.longitude + dlon, 4)
    assert 4.5 < haversine_km(lat, lon, p.latitude, p.longitude) < 10
    with open_store(str(tmp_path / "near.db")) as store:
        store.import_baseline([BaselineRow(town, "RU", DAY, None, lat, lon)])
        assert store_gazetteer(store)[1] == ()  # the geocoder takes the row for the gazetteer's town
        _ingest(store, [("2023-06-05", f"Russia's defence ministry announced that its units had withdrawn from {town} to "
                                       "more advantageous positions.", "TASS")])
        states = [s for s in control_on(store, dt.date(2023, 6, 6)) if s.place == town]
        assert [(s.controller, s.geonames_id) for s in states] == [("UA", p.geonames_id)]


def test_cli_import_says_what_it_read_again_and_geocode_reads_the_stores_villages(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from frontwatch.cli import app
    from frontwatch.store import open_store

    db = str(tmp_path / "cli.db")
    with open_store(db) as store:
        _ingest(store, [("2023-06-05", "Ukrainian troops entered Kryva Hreblia on Sunday, the general staff said.",
                         "Ukrinform")])
    csv_file = tmp_path / "base-2023-06-01.csv"
    csv_file.write_text("place,controller,date,latitude,longitude\n"
                        f"Kryva Hreblia,RU,2023-06-01,{OWN['Kryva Hreblia'][0]},{OWN['Kryva Hreblia'][1]}\n"
                        "Verbove Pole,RU,2023-06-01,47.52,35.61\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["control", "import-baseline", str(csv_file), "--db", db])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "2 settlement(s) of the store's baseline are not in the gazetteer" in out
    assert "1 stored report(s) naming them were read again" in out
    res = CliRunner().invoke(app, ["geocode", "Russian artillery shelled Verbove Pole overnight.", "--db", db])
    assert res.exit_code == 0 and "(the store's baseline)" in res.output and "47.5200" in res.output
    res = CliRunner().invoke(app, ["geocode", "Russian artillery shelled Verbove Pole overnight."])
    assert "(the store's baseline)" not in res.output


# --- one place, one name: a name-only mention of a baseline village folds into it -------------------
@pytest.mark.parametrize("spelling", ["Sosnova Balka", "Sosnovaya Balka", "Sosnova-Balka"])
def test_a_name_only_mention_folds_into_the_baseline_village_its_spelling_stands_for(spelling: str,
                                                                                    tmp_path: Path) -> None:
    from test_control_helpers import event, report

    from frontwatch.fusion import NS_META, control_on
    from frontwatch.model import Extraction
    from frontwatch.store import open_store

    lat, lon = OWN["Sosnova Balka"]

    def at(ev, **loc):  # noqa: ANN001, ANN003, ANN202
        return ev.model_copy(update={"location": ev.location.model_copy(update=loc)})

    with open_store(str(tmp_path / "fold.db")) as store:
        store.import_baseline(_rows({"Sosnova Balka": OWN["Sosnova Balka"]}, "RU"))
        # one report the geocoder placed at the baseline's village, one it could not place (a tie)
        r1 = report("f1", "2023-06-05", f"Ukrainian troops entered {spelling}, the general staff said.", "Wire A")
        e1 = at(event(r1, "entered", "Kupiansk", "UA", extent="entered", claims=[(None, None, "asserted")]),
                name="Sosnova Balka", mention=spelling, geonames_id=None, latitude=lat, longitude=lon)
        r2 = report("f2", "2023-06-06", f"Russia's army said it had left {spelling} for new lines.", "Wire B")
        e2 = at(event(r2, "withdrawal", "Kupiansk", "UA", claims=[("Russia's army", "RU", "claimed")], side="RU"),
                name=spelling, mention=spelling, geonames_id=None, latitude=None, longitude=None,
                feature_code=None, geo_precision=None)
        for r, e in ((r1, e1), (r2, e2)):
            store.add_extraction(Extraction(report=r, places=[], events=[e]))
        store.delete_derived(NS_META)  # a full rebuild, as after an import
        got = [(s.place, s.latitude) for s in control_on(store, dt.date(2023, 6, 7))]
        assert got == [("Sosnova Balka", lat)]  # one dot, not a second name-only place


def test_a_report_posted_to_the_web_api_reads_the_stores_villages(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from frontwatch.store import open_store
    from frontwatch.web.app import create_app

    db = str(tmp_path / "web.db")
    with open_store(db) as store:
        store.import_baseline(_rows({"Verbove Pole": OWN["Verbove Pole"]}, "RU"))
    with TestClient(create_app(db, token="t0ken")) as c:
        body = {"date": "2023-06-05", "source": "TASS", "text": "Russia's defence ministry announced that its "
                "units had withdrawn from Verbove Pole to more advantageous positions."}
        assert c.post("/api/reports", json=body, headers={"Authorization": "Bearer t0ken"}).status_code == 201
        states = {s["place"]: s for s in c.get("/api/control", params={"on": "2023-06-06"}).json()}
        assert states["Verbove Pole"]["controller"] == "UA"
        assert (states["Verbove Pole"]["latitude"], states["Verbove Pole"]["longitude"]) == OWN["Verbove Pole"]


# --- a baseline village near a region's border lies in either region the text names ------------------
BORDER = {  # invented villages whose nearest neighbour lies in the first region, others within 12 km in the second
    "Hlyboka Krynytsia": ((46.95, 33.07), "Kherson", "Mykolaiv"),
    "Dovha Levada": ((49.39, 35.40), "Kharkiv", "Poltava"),
    "Chervona Rosa": ((47.51, 34.47), "Zaporizhzhia", "Dnipropetrovsk"),
}


@pytest.mark.parametrize("name", sorted(BORDER))
def test_a_border_village_is_read_in_either_region(name: str, gaz: Gazetteer) -> None:
    (lat, lon), first, second = BORDER[name]
    g = with_places(gaz, (ExtraPlace(name, (), 0, lat, lon),))
    for region in (first, second):
        m = _one(f"Shelling hit {name}, {region} region, overnight.", name, g)
        assert (m.latitude, m.longitude) == (lat, lon), (region, m.reason)
        assert m.admin1 == first  # the region of its nearest neighbour is the one it is shown in
    far = _one(f"Shelling hit {name}, Volyn region, overnight.", name, g)
    assert far.latitude is None  # a region it cannot lie in: no guess
