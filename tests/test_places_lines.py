"""Place cases of the places helper for issue 11, second stop: an event known only to its region is
given its region's centre's point (ACLED's convention, geo_precision 3, never a controller); a line
the sentence calls up ("DPR positions", "separatists", "the contact line") chooses among namesakes
the rest of the text leaves tied. Short sentences written for these tests, with places and numbers of
their own."""

from __future__ import annotations

import datetime as dt

import pytest
from test_places_cases import one, places

from frontwatch.extract.places import lines
from frontwatch.fusion.timeline import settlement_precision
from frontwatch.gazetteer import Gazetteer
from frontwatch.gazetteer.index import haversine_km, polyline_km
from frontwatch.model import Event, Report
from frontwatch.nlp import get_nlp
from frontwatch.pipeline import extract_report


def events(text: str, gaz: Gazetteer) -> list[Event]:
    r = Report(report_id="t", date=dt.date(2022, 9, 14), text=text, content_hash="x")
    return extract_report(r, get_nlp(), gaz).events


def _city(gaz: Gazetteer, name: str, admin1: str):  # noqa: ANN202
    return max((m.place for m in gaz.lookup(name) if m.place.is_settlement and m.place.admin1 == admin1),
               key=lambda p: p.population)


# --------------------------------------------------------------------------- a region at its centre
@pytest.mark.parametrize(("text", "mention", "city", "admin1"), [
    ("Russian missiles struck energy sites in the Rivne region overnight, injuring 3 people.",
     "Rivne region", "Rivne", "Rivne"),
    ("On 7 June, drones hit an oil depot in Poltava Oblast. No casualties.", "Poltava Oblast", "Poltava", "Poltava"),
    ("Air defence shot down 4 cruise missiles over the Vinnytsia region.", "Vinnytsia region", "Vinnytsia",
     "Vinnytsia"),
])
def test_a_region_alone_is_placed_at_its_centre(text: str, mention: str, city: str, admin1: str,
                                                gaz: Gazetteer) -> None:
    m = one(text, mention, gaz)
    seat = _city(gaz, city, admin1)
    assert m.resolved and m.feature_code == "ADM1" and m.geo_precision == 3, m.reason
    assert m.geonames_id != seat.geonames_id
    assert haversine_km(m.latitude, m.longitude, seat.latitude, seat.longitude) < 1.0, m


def test_the_region_around_the_capital_is_placed_at_the_capital(gaz: Gazetteer) -> None:
    """Kyiv Oblast's centre is Kyiv, a first-level unit of its own."""
    m = one("Shelling damaged 12 houses in the Kyiv region on Sunday.", "Kyiv region", gaz)
    kyiv = next(x.place for x in gaz.lookup("Kyiv") if x.place.feature_code == "PPLC")
    assert m.name == "Kyiv Oblast" and m.geo_precision == 3
    assert haversine_km(m.latitude, m.longitude, kyiv.latitude, kyiv.longitude) < 1.0


@pytest.mark.parametrize("text", [
    "Russian missiles struck energy sites in the Rivne region overnight, injuring 3 people.",
    "Ukrainian forces shelled Russian positions in the Kherson region on Friday.",
    "Russian forces captured 5 villages in the Zaporizhzhia region, the governor said.",
])
def test_a_region_placed_at_its_centre_is_never_a_settlement(text: str, gaz: Gazetteer) -> None:
    """Only settlements get a controller: the region's event keeps precision 3 and its ADM1 code."""
    evs = [e for e in events(text, gaz) if e.location.feature_code == "ADM1"]
    assert evs, [(e.kind, e.location) for e in events(text, gaz)]
    for e in evs:
        assert e.location.geo_precision == 3 and e.location.geonames_id is None
        assert settlement_precision(e.location) is None


# --------------------------------------------------------------------------- a line chooses among tied namesakes
@pytest.mark.parametrize("text", [
    "Ukrainian forces shelled DPR positions near Vynohradne, Donetsk region. Casualties unknown.",
    "On 3 May, separatist forces fired 120mm mortars at Ukrainian positions in Vynohradne, Donetsk.",
    "Artillery duels were reported in Vynohradne, Donetsk, on the contact line.",
    "The DNR's militia said 2 of its fighters were wounded near Vynohradne, Donetsk Oblast.",
])
def test_the_republics_forces_choose_the_namesake_on_their_line(text: str, gaz: Gazetteer) -> None:
    m = one(text, "Vynohradne", gaz)
    assert m.resolved, m.reason
    line = lines()[0]
    assert polyline_km(m.latitude, m.longitude, line.points) <= line.near_km, m
    assert "line of contact" in (m.reason or "")


@pytest.mark.parametrize("text", [
    "Russian forces shelled Vynohradne, Donetsk region. Casualties unknown.",
    "On 3 May, mortars hit Vynohradne, Donetsk, damaging 2 houses.",
    "Ukrainian troops repelled an attack near Vynohradne, Donetsk Oblast.",
])
def test_without_the_line_namesakes_in_the_region_still_abstain(text: str, gaz: Gazetteer) -> None:
    m = one(text, "Vynohradne", gaz)
    assert not m.resolved, m.reason


@pytest.mark.parametrize("text", [
    "DPR forces shelled Vynohradne, Amvrosiivskyi district, Donetsk region.",
    "Separatists fired at Vynohradne in the Amvrosiivka district, Donetsk.",
    "Ukrainian forces shelled DPR positions in Vynohradne near Amvrosiivka, Donetsk region.",
])
def test_other_evidence_in_the_text_outweighs_the_line(text: str, gaz: Gazetteer) -> None:
    """The line only breaks a tie: a district or a town named beside the place still chooses."""
    m = one(text, "Vynohradne", gaz)
    assert m.resolved, m.reason
    line = lines()[0]
    assert polyline_km(m.latitude, m.longitude, line.points) > line.near_km + line.margin_km, m


def test_polyline_distance() -> None:
    pts = [(48.0, 37.0), (48.0, 38.0)]
    # 0.1 degree of latitude north of the segment's middle: about 11 km
    assert polyline_km(48.1, 37.5, pts) == pytest.approx(11.06, abs=0.1)
    # beyond an end: the distance to the end point
    assert polyline_km(48.0, 38.1, pts) == pytest.approx(7.4, abs=0.2)
    assert polyline_km(48.0, 37.3, pts) == pytest.approx(0.0, abs=0.01)


# --------------------------------------------------------------------------- "X, <adjective> district, Region"
@pytest.mark.parametrize(("text", "mention", "seat"), [
    ("Russian forces shelled Vynohradne, Amvrosiivskyi district, Donetsk region.", "Vynohradne", "Amvrosiivka"),
    ("Russian troops shelled Mohrytsia, Sumskyi district, Sumy region, wounding 2 men.", "Mohrytsia", "Sumy"),
    ("Drones struck Bilozerka, Khersonskyi district, Kherson region. No casualties.", "Bilozerka", "Kherson"),
])
def test_a_village_before_an_adjectival_district_is_read(text: str, mention: str, seat: str, gaz: Gazetteer) -> None:
    """The NER may miss the village; the unit after it (named by its seat's adjective) and the region
    after that still make it a place, read within the district."""
    m = one(text, mention, gaz)
    assert m.resolved and m.feature_class == "P", m.reason
    s = max((x.place for x in gaz.lookup(seat) if x.place.is_settlement), key=lambda p: p.population)
    assert haversine_km(m.latitude, m.longitude, s.latitude, s.longitude) <= 40.0, m
    evs = events(text, gaz)
    assert evs and all(e.location.mention == mention for e in evs), [(e.kind, e.location.mention) for e in evs]


@pytest.mark.parametrize(("text", "adjective", "seat"), [
    ("Russian troops shelled Mohrytsia, Sumskyi district, Sumy region.", "Sumskyi", "Sumy"),
    ("Shelling hit Bilozerka, Khersonskyi district, Kherson region.", "Khersonskyi", "Kherson"),
    ("Russian forces shelled Mala Danylivka, Kharkivskyi district, Kharkiv region.", "Kharkivskyi", "Kharkiv"),
])
def test_the_adjective_of_a_seat_is_the_district_not_another_spelling(text: str, adjective: str, seat: str,
                                                                    gaz: Gazetteer) -> None:
    """"Sumskyi" transliterates another town's name too; before "district" it is the Sumy district."""
    m = one(text, adjective, gaz)
    assert m.resolved and m.feature_code == "ADM2" and m.name == f"{seat} district", m.reason


# --------------------------------------------------------------------------- ACLED's "City - District"
@pytest.mark.parametrize(("text", "city", "district"), [
    ("On 3 May, Russian forces shelled Kharkiv - Saltivskyi, Kharkiv. 2 civilians were injured.", "Kharkiv",
     "Saltivskyi"),
    ("Ukrainian mortars hit DPR positions in Horlivka - Mykytivskyi. No casualties reported.", "Horlivka",
     "Mykytivskyi"),
    ("Russian forces launched 3 missiles at Mykolaiv - Tsentralnyi, damaging a school.", "Mykolaiv", "Tsentralnyi"),
])
def test_a_city_district_is_placed_at_the_city_and_is_not_the_city(text: str, city: str, district: str,
                                                                  gaz: Gazetteer) -> None:
    evs = events(text, gaz)
    assert evs, text
    c = max((x.place for x in gaz.lookup(city) if x.place.is_settlement), key=lambda p: p.population)
    for e in evs:
        loc = e.location
        assert loc.name == f"{city} - {district}" and loc.geonames_id is None and loc.geo_precision == 2, loc
        assert haversine_km(loc.latitude, loc.longitude, c.latitude, c.longitude) < 1.0
        assert settlement_precision(loc) is None  # a change there never moves the city itself


@pytest.mark.parametrize(("text", "mention"), [
    ("Traffic on the Kharkiv - Chuhuiv road was halted.", "Kharkiv"),
    ("Trains from Lviv - Przemysl were delayed by 2 hours.", "Lviv"),
    ("Russian forces shelled Kramatorsk-Sloviansky road near Kramatorsk.", "Kramatorsk"),
])
def test_a_dash_without_a_district_word_is_no_city_district(text: str, mention: str, gaz: Gazetteer) -> None:

    assert not any(" - " in (m.name or "") for m in places(text, gaz))


# --------------------------------------------------------------------------- one sense per report
@pytest.mark.parametrize(("text", "name", "admin1"), [
    ("On 4 October, Ukrainian forces shelled Russian positions in Snihurivka district (coded to Snihurivka, "
     "Kherson region), destroying 3 tanks.", "Snihurivka", "Mykolaiv"),
    ("Russian forces shelled Novyi Buh hromada (coded to Novyi Buh, Kherson region). No casualties.", "Novyi Buh",
     "Mykolaiv"),
    ("Ukrainian forces struck Russian depots in Kazanka district (coded to Kazanka, Dnipropetrovsk region).",
     "Kazanka", "Mykolaiv"),
])
def test_a_qualifier_that_holds_no_namesake_yields_to_the_reports_own_reading(text: str, name: str, admin1: str,
                                                                            gaz: Gazetteer) -> None:
    coded = [m for m in places(text, gaz) if m.mention == name][-1]
    assert coded.resolved and coded.feature_class == "P" and coded.admin1 == admin1, coded.reason
    evs = events(text, gaz)
    assert evs and all(e.location.latitude is not None for e in evs), [(e.kind, e.location) for e in evs]


@pytest.mark.parametrize("text", [
    "Russian forces shelled Snihurivka, Kherson region. No casualties.",
    "Russian forces shelled Novyi Buh, Kherson region, on Monday.",
    "Ukrainian forces struck Russian depots in Kazanka, Dnipropetrovsk region.",
])
def test_without_another_reading_a_contradicted_qualifier_still_abstains(text: str, gaz: Gazetteer) -> None:

    assert not any(m.resolved and m.feature_class == "P" for m in places(text, gaz)), \
        [(m.mention, m.name) for m in places(text, gaz)]
