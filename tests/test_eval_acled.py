"""`frontwatch eval acled`: reading ACLED notes (JSON Lines and ACLED's CSV), the figures and the
reason given for each miss. Notes written for these tests (own places, own numbers)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from frontwatch.cli import app
from frontwatch.eval_acled import AcledResult, Note, read_notes, score_note
from frontwatch.model import Event, Evidence, Location, kind_to_acled

OKHTYRKA = (50.30852, 34.89468)
KONOTOP = (51.23251, 33.2004)


def note(sub: str = "Shelling/artillery/missile attack", where: tuple[float, float] = OKHTYRKA,
         fatalities: int = 0, covered: bool | None = True) -> Note:
    return Note(id="n1", date=dt.date(2022, 5, 3), text="...", sub_event_type=sub, location="Okhtyrka",
                latitude=where[0], longitude=where[1], fatalities=fatalities, admin1="Sumy", covered=covered)


def event(kind: str, where: tuple[float, float] | None, name: str = "Okhtyrka", fatalities: int | None = None,
          day: dt.date = dt.date(2022, 5, 3)) -> Event:
    et, st = kind_to_acled(kind)
    loc = Location(name=name, mention=name, latitude=where[0] if where else None,
                   longitude=where[1] if where else None)
    return Event(event_id="e", report_id="n1", report_date=day, kind=kind, event_type=et, sub_event_type=st,
                 event_date=day, location=loc, fatalities=fatalities,
                 evidence=[Evidence(report_id="n1", start=0, end=3, text="...")])


def test_matched_event_counts_everything() -> None:
    r = score_note(note(fatalities=2), [event("shelling", OKHTYRKA, fatalities=2)], covered=True)
    assert (r.type_ok, r.loc_ok, r.event_ok, r.date_ok, r.fatalities_ok, r.miss) == (True,) * 5 + (None,)


def test_kind_and_place_on_different_events_is_not_an_event_match() -> None:
    r = score_note(note(), [event("shelling", KONOTOP, "Konotop"), event("armed_clash", OKHTYRKA)], covered=True)
    assert r.type_ok and r.loc_ok and not r.event_ok
    assert r.miss == "place_wrong" and "km from ACLED" in r.detail[0]


def test_reasons_no_event_kind_unresolved() -> None:
    assert score_note(note(), [], covered=True).miss == "no_event"
    assert score_note(note(), [event("air_strike", OKHTYRKA)], covered=True).miss == "kind_wrong"
    r = score_note(note(), [event("shelling", None, "Bilky")], covered=True)
    assert r.miss == "place_unresolved" and r.unplaced == 1 and "Bilky" in r.detail[0]


def test_armed_clash_and_entered_both_map_to_armed_clash_and_other_takes_evacuation() -> None:
    assert score_note(note("Armed clash"), [event("entered", OKHTYRKA)], covered=True).event_ok
    assert score_note(note("Other"), [event("evacuation", OKHTYRKA)], covered=True).event_ok


def test_wrong_fatalities_and_summary() -> None:
    a = score_note(note(fatalities=3), [event("shelling", OKHTYRKA, fatalities=1)], covered=True)
    b = score_note(note(), [], covered=False)
    s = AcledResult([a, b]).summary()
    assert s["type_recall"] == 0.5 and s["covered_event_recall"] == 1.0 and s["covered_notes"] == 1
    assert s["fatalities_accuracy"] == 0.0 and s["events_per_note"] == 0.5


CSV = """event_id_cnty,event_date,year,event_type,sub_event_type,admin1,location,latitude,longitude,notes,fatalities
UKR1,4 May 2022,2022,Battles,Armed clash,Sumy,Okhtyrka,50.3085,34.8947,"On 4 May 2022, Ukrainian forces clashed with Russian forces in Okhtyrka, Sumy. 2 soldiers were killed.",2
UKR2,2022-05-05,2022,Explosions/Remote violence,Shelling/artillery/missile attack,Sumy,Maloye Selo,50.9,34.1,"On 5 May 2022, Russian forces shelled Maloye Selo, Sumy.",0
"""


def test_read_acled_csv_and_compute_covered(tmp_path: Path) -> None:
    from frontwatch.eval_acled import gazetteer_covers
    from frontwatch.gazetteer import get_gazetteer

    p = tmp_path / "export.csv"
    p.write_text(CSV, encoding="utf-8")
    notes = read_notes(p)
    assert [n.id for n in notes] == ["UKR1", "UKR2"]
    assert notes[0].date == dt.date(2022, 5, 4) and notes[0].fatalities == 2 and notes[0].covered is None
    gaz = get_gazetteer()
    assert gazetteer_covers(notes[0], gaz) and not gazetteer_covers(notes[1], gaz)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_cli_figures_and_json(tmp_path: Path, fmt: str) -> None:
    rows = [
        {"id": "a", "date": "2022-06-07", "sub_event_type": "Shelling/artillery/missile attack",
         "text": "On 7 June 2022, Russian forces shelled Konotop, Sumy. 1 civilian was killed.",
         "location": "Konotop", "admin1": "Sumy", "latitude": KONOTOP[0], "longitude": KONOTOP[1],
         "fatalities": 1, "covered": True},
        {"id": "b", "date": "2022-06-08", "sub_event_type": "Air/drone strike",
         "text": "On 8 June 2022, Russian aircraft struck Okhtyrka, Sumy. Casualties unknown.",
         "location": "Okhtyrka", "admin1": "Sumy", "latitude": OKHTYRKA[0], "longitude": OKHTYRKA[1],
         "fatalities": 0, "covered": True},
    ]
    if fmt == "jsonl":
        p = tmp_path / "notes.jsonl"
        p.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    else:
        import csv

        p = tmp_path / "notes.csv"
        with p.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["event_date", "sub_event_type", "location", "latitude", "longitude", "fatalities", "notes",
                        "admin1"])
            for r in rows:
                w.writerow([r["date"], r["sub_event_type"], r["location"], r["latitude"], r["longitude"],
                            r["fatalities"], r["text"], r["admin1"]])
    res = CliRunner().invoke(app, ["eval", "acled", str(p), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    s = data["summary"]
    assert s["notes"] == 2 and s["covered_notes"] == 2
    assert s["location_recall"] == 1.0
    assert s["event_recall"] == 1.0 and s["fatalities_accuracy"] == 1.0
    assert data["confusion"]["Shelling/artillery/missile attack"] == {"shelling": 1}
    res = CliRunner().invoke(app, ["eval", "acled", str(p), "-v"])
    assert res.exit_code == 0 and "covered event recall" in res.output and "confusion" in res.output


def test_cli_unreadable_file(tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_text('{"id": "x"}\n', encoding="utf-8")
    res = CliRunner().invoke(app, ["eval", "acled", str(p)])
    assert res.exit_code == 2
