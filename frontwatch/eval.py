"""Scores extraction against hand-annotated gold files (contract §4).

One gold file annotates one report: its places, events, forbidden events and control states.
The rules here are the contract's; where it is silent the choice is written beside the code.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from frontwatch.gazetteer.index import haversine_km
from frontwatch.model import KINDS, Claim, ControlState, Event, Extraction, PlaceMention

DEFAULT_NEAR_KM = 10.0


# --------------------------------------------------------------------------- matching rules
def _same_place(gold: dict, gid: int | None, lat: float | None, lon: float | None, name: str | None) -> bool:
    """Same GeoNames id, or within the gold's near_km of its coordinates."""
    if gold.get("geonames_id") is not None and gid is not None and gold["geonames_id"] == gid:
        return True
    if lat is not None and lon is not None and gold.get("latitude") is not None:
        near = float(gold.get("near_km", DEFAULT_NEAR_KM))
        return haversine_km(gold["latitude"], gold["longitude"], lat, lon) <= near
    if lat is None and name and gold.get("name"):
        # An unresolved location can only be right about a place the gazetteer lacks; then the
        # name is all there is to compare (e.g. an event at a village that is not bundled).
        return _norm_name(name) == _norm_name(gold["name"].split("(")[0])
    return False


def _norm_name(s: str) -> str:
    return re.sub(r"[^a-z]", "", s.lower())


def _allowed_kinds(gold_event: dict) -> set[str]:
    """The gold kind, plus any kind the annotator's notes name as also matching."""
    kinds = {gold_event.get("kind", "")}
    notes = gold_event.get("notes", "")
    for k in KINDS:
        if re.search(rf"\b{k}\b", notes):
            kinds.add(k)
    return kinds


def _event_loc(e: Event) -> tuple[int | None, float | None, float | None, str | None]:
    loc = e.location
    return loc.geonames_id, loc.latitude, loc.longitude, loc.name or loc.mention


def event_matches(gold: dict, e: Event) -> bool:
    return e.kind in _allowed_kinds(gold) and _same_place(gold["location"], *_event_loc(e))


def forbidden_hit(rule: dict, e: Event) -> bool:
    if rule.get("kind", "*") not in ("*", e.kind):
        return False
    if "historical" in rule and e.historical != rule["historical"]:
        return False
    if "control_to" in rule and (e.control is None or e.control.to != rule["control_to"]):
        return False
    loc = rule.get("location", {})
    if loc.get("geonames_id") is None and loc.get("latitude") is None:
        # A named-only rule ("Moscow" standing for the Russian state): match by name.
        return _norm_name(loc.get("name", "")) in {_norm_name(e.location.name or ""), _norm_name(e.location.mention or "")}
    return _same_place(loc, *_event_loc(e))


_NAME_STOP = {"the", "s", "of", "a", "an", "said", "says"}
_NAME_FOLD = {"russian": "russia", "ukrainian": "ukraine", "defense": "defence", "ukraines": "ukraine", "russias": "russia"}


def _name_tokens(name: str) -> set[str]:
    toks = re.findall(r"[a-z]+", name.lower().replace("’", "'").replace("'s", ""))
    return {_NAME_FOLD.get(t, t) for t in toks if t not in _NAME_STOP}


def claimant_matches(gold_name: str | None, name: str | None) -> bool:
    if gold_name is None or name is None:
        return gold_name is None and name is None
    a, b = _name_tokens(gold_name), _name_tokens(name)
    return bool(a) and bool(b) and (a <= b or b <= a)


def claim_matches(gold: dict, c: Claim) -> bool:
    if not claimant_matches(gold.get("claimant"), c.claimant):
        return False
    if "stance" in gold and gold["stance"] != c.stance:
        return False
    return all(any(claimant_matches(via, v) for v in c.via) for via in gold.get("via", []))


def _date(s: str | None) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


def date_correct(gold: dict, e: Event) -> bool | None:
    """The extracted day or range must lie inside the gold's; None when the gold gives no date."""
    g_day = _date(gold.get("event_date"))
    lo = g_day or _date(gold.get("date_earliest"))
    hi = g_day or _date(gold.get("date_latest"))
    if lo is None and hi is None:
        return None
    e_lo = e.event_date or e.date_earliest
    e_hi = e.event_date or e.date_latest
    if (lo is not None and (e_lo is None or e_lo < lo)) or (hi is not None and (e_hi is None or e_hi > hi)):
        return False
    return True


# --------------------------------------------------------------------------- per-report scoring
@dataclass
class ReportScore:
    name: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    forbidden: int = 0
    places_right: int = 0
    places_total: int = 0
    dates_right: int = 0
    dates_total: int = 0
    claims_right: int = 0
    claims_total: int = 0
    fields_right: int = 0
    fields_total: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def score_places(gold_places: list[dict], found: list[PlaceMention], score: ReportScore) -> None:
    """A gold place is right when every mention of it in the text resolves right."""
    gold_surfaces = {g["mention"].lower() for g in gold_places}
    for g in gold_places:
        if g.get("optional"):
            continue
        surface = g["mention"].lower()
        occ = [m for m in found if m.mention.lower() == surface]
        if not occ:
            # "Kharkiv city" for gold "Kharkiv": a longer span that no other gold place claims.
            occ = [
                m for m in found
                if m.mention.lower().startswith(surface + " ") and m.mention.lower() not in gold_surfaces
            ]
        score.places_total += 1
        if g.get("absent_from_bundled"):
            ok = all(not m.resolved or _same_place(g, m.geonames_id, m.latitude, m.longitude, None) for m in occ)
        else:
            ok = bool(occ) and all(_same_place(g, m.geonames_id, m.latitude, m.longitude, None) for m in occ)
        if ok:
            score.places_right += 1
        else:
            got = ", ".join(f"{m.name}({m.geonames_id})" if m.resolved else "unresolved" for m in occ) or "not found"
            score.problems.append(f"place {g['mention']!r}: expected {g.get('name')}, got {got}")


def score_events(gold: dict, events: list[Event], score: ReportScore) -> None:
    gold_events = gold.get("events", [])
    used: set[int] = set()
    matched: list[tuple[dict, Event]] = []
    for e in events:
        if any(forbidden_hit(r, e) for r in gold.get("forbidden", [])):
            score.forbidden += 1
            score.fp += 1
            score.problems.append(f"forbidden event: {e.kind} at {e.location.name}")
            continue
        hit = None
        for i, g in enumerate(gold_events):
            if i not in used and event_matches(g, e):
                hit = i
                if not g.get("optional"):
                    break  # prefer a required gold event over an optional one
        if hit is None:
            if any(g.get("optional") and event_matches(g, e) for g in gold_events):
                continue  # another mention of an optional event: neither right nor wrong
            score.fp += 1
            score.problems.append(f"extra event: {e.kind} at {e.location.name} ({e.rule})")
            continue
        used.add(hit)
        if not gold_events[hit].get("optional"):
            score.tp += 1
            matched.append((gold_events[hit], e))
    for i, g in enumerate(gold_events):
        if not g.get("optional") and i not in used:
            score.fn += 1
            score.problems.append(f"missed event: {g.get('id')} ({g['kind']} at {g['location'].get('name')})")
    for g, e in matched:
        _score_fields(g, e, score)


def _score_fields(g: dict, e: Event, score: ReportScore) -> None:
    ok = date_correct(g, e)
    if ok is not None:
        score.dates_total += 1
        score.dates_right += ok
        if not ok:
            score.problems.append(
                f"date of {g['id']}: got {e.event_date or (e.date_earliest, e.date_latest)}"
            )
    checks: list[tuple[str, bool]] = []
    if "fatalities" in g:
        checks.append(("fatalities", e.fatalities == g["fatalities"]))
    if "control" in g:
        c = e.control
        checks.append(("control", c is not None and c.to == g["control"]["to"] and c.extent == g["control"]["extent"]))
    if "historical" in g:
        checks.append(("historical", e.historical == g["historical"]))
    for side in ("actor1_side", "actor2_side"):
        if side in g:
            checks.append((side, getattr(e, side) == g[side]))
    for name, good in checks:
        score.fields_total += 1
        score.fields_right += good
        if not good:
            score.problems.append(f"{name} of {g['id']}: got {_field_repr(e, name)}")
    for gc in g.get("claims", []):
        if gc.get("optional"):
            continue
        score.claims_total += 1
        if any(claim_matches(gc, c) for c in e.claims):
            score.claims_right += 1
        else:
            got = "; ".join(f"{c.claimant}/{c.stance}/via={c.via}" for c in e.claims) or "no claim"
            score.problems.append(f"claim of {g['id']}: expected {gc.get('claimant')}/{gc.get('stance')}, got {got}")


def _field_repr(e: Event, name: str) -> str:
    if name == "control":
        return json.dumps(e.control.model_dump(by_alias=True)) if e.control else "none"
    return repr(getattr(e, name))


# --------------------------------------------------------------------------- the whole gold set
@dataclass
class EvalResult:
    reports: list[ReportScore]
    control_right: int
    control_total: int
    control_problems: list[str]

    def summary(self) -> dict[str, float | None]:
        n = len(self.reports) or 1
        def mean(vals: Iterable[float | None]) -> float | None:
            vs = [v for v in vals if v is not None]
            return sum(vs) / len(vs) if vs else None
        return {
            "reports": len(self.reports),
            "event_precision": sum(r.precision for r in self.reports) / n,
            "event_recall": sum(r.recall for r in self.reports) / n,
            "event_f1": sum(r.f1 for r in self.reports) / n,
            "forbidden_hits": sum(r.forbidden for r in self.reports),
            "date_accuracy": mean(_ratio(r.dates_right, r.dates_total) for r in self.reports),
            "claim_accuracy": mean(_ratio(r.claims_right, r.claims_total) for r in self.reports),
            "field_accuracy": mean(_ratio(r.fields_right, r.fields_total) for r in self.reports),
            "place_accuracy": _ratio(sum(r.places_right for r in self.reports), sum(r.places_total for r in self.reports)),
            "control_accuracy": _ratio(self.control_right, self.control_total),
        }


def _find_report_file(gold_path: Path, rel: str) -> Path:
    for base in (gold_path.parent, gold_path.parent.parent, gold_path.parent.parent.parent, Path.cwd()):
        p = base / rel
        if p.exists():
            return p
    raise FileNotFoundError(f"{gold_path.name}: report {rel!r} not found beside the gold directory")


def load_gold(gold_dir: Path) -> list[tuple[Path, dict, Path]]:
    files = sorted(Path(gold_dir).glob("*.gold.json"))
    if not files:
        raise FileNotFoundError(f"no *.gold.json files in {gold_dir}")
    out = []
    for f in files:
        g = json.loads(f.read_text(encoding="utf-8"))
        out.append((f, g, _find_report_file(f, g["report"])))
    return out


def evaluate(gold_dir: Path, on_report: Callable[[str], None] | None = None) -> EvalResult:
    """Extract every gold report, score it, then fuse all of them in one store for control."""
    from frontwatch.ingest import read_reports
    from frontwatch.model import Report
    from frontwatch.pipeline import extract_report

    scores: list[ReportScore] = []
    extractions: list[Extraction] = []
    golds = load_gold(gold_dir)
    for gold_path, gold, report_path in golds:
        items = list(read_reports([report_path]))
        reports = [r for r in items if isinstance(r, Report)]
        if len(reports) != 1:
            raise ValueError(f"{report_path}: expected one readable report, got {items}")
        ex = extract_report(reports[0])
        extractions.append(ex)
        s = ReportScore(name=gold_path.name.removesuffix(".gold.json"))
        score_places(gold.get("places", []), ex.places, s)
        score_events(gold, ex.events, s)
        scores.append(s)
        if on_report:
            on_report(s.name)
    right, total, problems = _score_control(golds, extractions)
    return EvalResult(scores, right, total, problems)


def _score_control(golds: list[tuple[Path, dict, Path]], extractions: list[Extraction]) -> tuple[int, int, list[str]]:
    rows = [(g, row) for _, g, _ in golds for row in g.get("control", []) if not row.get("optional")]
    if not rows:
        return 0, 0, []
    try:
        from frontwatch.fusion import control_on
    except ImportError:
        return 0, len(rows), ["control: frontwatch.fusion is not available"]
    from frontwatch.store import open_store

    right, problems = 0, []
    with tempfile.TemporaryDirectory() as tmp:
        with open_store(str(Path(tmp) / "eval.db")) as store:
            for ex in extractions:
                store.add_extraction(ex)
            cache: dict[dt.date, list[ControlState]] = {}
            for _, row in rows:
                on = dt.date.fromisoformat(row["on"])
                # Control rows name their settlement in "place"; _same_place compares "name".
                where = {**row, "name": row.get("name") or row["place"]}
                if on not in cache:
                    cache[on] = control_on(store, on)
                states = [s for s in cache[on] if _same_place(where, s.geonames_id, s.latitude, s.longitude, s.place)]
                got = states[0].controller if states else None
                if got == row["controller"]:
                    right += 1
                else:
                    problems.append(f"control {row['place']} on {row['on']}: expected {row['controller']}, got {got}")
    return right, len(rows), problems
