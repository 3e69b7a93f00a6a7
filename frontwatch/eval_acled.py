"""Score extraction against ACLED's own coding of its notes (`frontwatch eval acled`).

Each ACLED note is read as one report (id, date, text); the events frontwatch finds in it are
compared with ACLED's coding of that note, with the definitions of shared/real/README.md:

- type recall: some event of the note has a kind whose ACLED sub-event type (the contract's
  table, `frontwatch.model.KINDS`) is ACLED's;
- location recall: some event lies within `near_km` (15) of ACLED's point;
- event recall: one event has both;
- the same three over the *covered* notes, those whose place the bundled gazetteer can hold
  (the file's `covered` flag, else: a same-named gazetteer place within 10 km of ACLED's point);
- date accuracy and fatalities accuracy of the matched event; events per note.

Every note that misses gets one reason (no event, kind wrong, place unresolved, place wrong),
with the evidence a user needs to see why.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from frontwatch.gazetteer.index import haversine_km
from frontwatch.model import Event, Report, is_acled_kind, kind_to_acled

NEAR_KM = 15.0
COVERED_KM = 10.0


@dataclass
class Note:
    """One ACLED-coded note: the text frontwatch reads and ACLED's answer."""

    id: str
    date: dt.date
    text: str
    sub_event_type: str
    location: str
    latitude: float
    longitude: float
    fatalities: int = 0
    admin1: str | None = None
    covered: bool | None = None   # None: not given, computed from the gazetteer


@dataclass
class NoteResult:
    note: Note
    events: list[Event]
    covered: bool
    type_ok: bool = False
    loc_ok: bool = False
    event_ok: bool = False
    date_ok: bool | None = None         # of the matched event
    fatalities_ok: bool | None = None   # of the matched event
    kind: str = "(none)"                # the kind counted in the confusion table
    miss: str | None = None             # no_event, kind_wrong, place_unresolved, place_wrong
    detail: list[str] = field(default_factory=list)
    unplaced: int = 0                   # events whose place is a name without coordinates


# --------------------------------------------------------------------------- reading
def _date(s: str) -> dt.date:
    s = s.strip()
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%m/%d/%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unreadable date {s!r}")


def _int(v: object) -> int:
    try:
        return int(float(v))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0


def _covered(v: object) -> bool | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return v
    return str(v).strip().lower() in ("1", "true", "yes", "y")


def read_notes(path: Path) -> list[Note]:
    """ACLED notes from JSON Lines (id, date, text, sub_event_type, ...) or ACLED's export CSV."""
    notes: list[Note] = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        head = f.read(1)
        f.seek(0)
        if head == "{" or path.suffix.lower() in (".jsonl", ".json"):
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                r = json.loads(line)
                notes.append(Note(
                    id=str(r.get("id") or f"{path.name}:{n}"), date=_date(str(r["date"])), text=r["text"],
                    sub_event_type=r["sub_event_type"], location=r.get("location") or "",
                    latitude=float(r["latitude"]), longitude=float(r["longitude"]),
                    fatalities=_int(r.get("fatalities")), admin1=r.get("admin1"),
                    covered=_covered(r.get("covered")),
                ))
            return notes
        for n, r in enumerate(csv.DictReader(f), 2):
            r = {(k or "").strip().lower(): v for k, v in r.items()}
            if not (r.get("notes") or "").strip():
                continue
            rid = r.get("event_id_cnty") or r.get("data_id") or r.get("id") or f"{path.name}:{n}"
            notes.append(Note(
                id=str(rid), date=_date(r["event_date"]), text=r["notes"].strip(),
                sub_event_type=r["sub_event_type"].strip(), location=(r.get("location") or "").strip(),
                latitude=float(r["latitude"]), longitude=float(r["longitude"]),
                fatalities=_int(r.get("fatalities")), admin1=(r.get("admin1") or "").strip() or None,
                covered=_covered(r.get("covered")),
            ))
    return notes


def gazetteer_covers(note: Note, gaz) -> bool:  # noqa: ANN001
    """The bundled gazetteer holds a same-named place within 10 km of ACLED's point."""
    if not note.location:
        return False
    return any(haversine_km(m.place.latitude, m.place.longitude, note.latitude, note.longitude) <= COVERED_KM
               for m in gaz.lookup(note.location))


# --------------------------------------------------------------------------- scoring
def _dist(e: Event, note: Note) -> float | None:
    loc = e.location
    if loc.latitude is None or loc.longitude is None:
        return None
    return haversine_km(loc.latitude, loc.longitude, note.latitude, note.longitude)


def _date_ok(e: Event, day: dt.date) -> bool:
    if e.event_date is not None:
        return e.event_date == day
    return e.date_earliest is not None and e.date_latest is not None and e.date_earliest <= day <= e.date_latest


def _where(e: Event) -> str:
    loc = e.location
    return loc.name or loc.mention or "(no place)"


def score_note(note: Note, events: list[Event], covered: bool, near_km: float = NEAR_KM,
               explain: Callable[[Event], list[str]] | None = None) -> NoteResult:
    """One note's figures and, when it misses, why."""
    res = NoteResult(note, events, covered)
    res.unplaced = sum(1 for e in events if e.location.latitude is None and (e.location.name or e.location.mention))
    dists = [_dist(e, note) for e in events]
    right_kind = [kind_to_acled(e.kind)[1] == note.sub_event_type for e in events]
    near = [d is not None and d <= near_km for d in dists]
    res.type_ok = any(right_kind)
    res.loc_ok = any(near)
    both = [i for i in range(len(events)) if right_kind[i] and near[i]]
    res.event_ok = bool(both)
    if both:
        best = min(both, key=lambda i: dists[i])  # type: ignore[arg-type,return-value]
        e = events[best]
        res.kind = e.kind
        res.date_ok = _date_ok(e, note.date)
        res.fatalities_ok = (e.fatalities or 0) == note.fatalities
        if not res.fatalities_ok:
            res.detail.append(f"fatalities {e.fatalities or 0}, ACLED {note.fatalities}")
        if not res.date_ok:
            res.detail.append(f"date {e.event_date or (e.date_earliest, e.date_latest)}, ACLED {note.date}")
        return res
    if not events:
        res.miss = "no_event"
        return res
    # The event the note is best judged by: right kind first, then the nearest place.
    def rank(i: int) -> tuple[int, float]:
        return (0 if right_kind[i] else 1, dists[i] if dists[i] is not None else 1e9)

    order = sorted(range(len(events)), key=rank)
    pick = order[0]
    res.kind = events[pick].kind
    kinds = ", ".join(sorted({e.kind for e in events}))
    if not res.type_ok and res.loc_ok:
        res.miss = "kind_wrong"
        res.detail.append(f"kinds {kinds}; ACLED {note.sub_event_type}")
        return res
    # Place missed (and maybe kind too): judge the place of the events of the right kind, else all.
    judged = [i for i in order if right_kind[i]] or order
    unresolved = [i for i in judged if dists[i] is None]
    placed = [i for i in judged if dists[i] is not None]
    if not res.type_ok:
        res.detail.append(f"kind wrong too: kinds {kinds}; ACLED {note.sub_event_type}")
    if placed:
        i = min(placed, key=lambda j: dists[j])  # type: ignore[arg-type,return-value]
        res.miss = "place_wrong"
        e = events[i]
        res.detail.insert(0, f"{e.kind} placed at {_where(e)} ({e.location.admin1 or e.location.country or '?'}), "
                             f"{dists[i]:.0f} km from ACLED's {note.location} ({note.admin1 or '?'})")
    else:
        res.miss = "place_unresolved"
        names = sorted({_where(events[i]) for i in unresolved})
        res.detail.insert(0, f"place unresolved: {', '.join(names)}; ACLED {note.location} ({note.admin1 or '?'})")
    if explain is not None:
        for i in judged[:1]:
            res.detail.extend(explain(events[i]))
    return res


@dataclass
class AcledResult:
    results: list[NoteResult]

    def _sub(self, covered_only: bool) -> list[NoteResult]:
        return [r for r in self.results if r.covered] if covered_only else self.results

    @staticmethod
    def _ratio(a: int, b: int) -> float | None:
        return round(a / b, 3) if b else None

    def summary(self) -> dict:
        rs = self.results
        cov = self._sub(True)
        matched = [r for r in rs if r.event_ok]
        n_events = sum(len(r.events) for r in rs)
        misses = Counter(r.miss for r in rs if r.miss)
        cov_misses = Counter(r.miss for r in cov if r.miss)
        # Location misses whose note has an event placed by name only (village not in the gazetteer).
        unplaced_notes = sum(1 for r in rs if not r.loc_ok and r.unplaced)
        return {
            "notes": len(rs),
            "covered_notes": len(cov),
            "type_recall": self._ratio(sum(r.type_ok for r in rs), len(rs)),
            "location_recall": self._ratio(sum(r.loc_ok for r in rs), len(rs)),
            "event_recall": self._ratio(sum(r.event_ok for r in rs), len(rs)),
            "covered_type_recall": self._ratio(sum(r.type_ok for r in cov), len(cov)),
            "covered_location_recall": self._ratio(sum(r.loc_ok for r in cov), len(cov)),
            "covered_event_recall": self._ratio(sum(r.event_ok for r in cov), len(cov)),
            "date_accuracy": self._ratio(sum(bool(r.date_ok) for r in matched), len(matched)),
            "fatalities_accuracy": self._ratio(sum(bool(r.fatalities_ok) for r in matched), len(matched)),
            "events_per_note": round(n_events / len(rs), 2) if rs else None,
            "events": n_events,
            "unplaced_events": sum(r.unplaced for r in rs),
            "unplaced_notes": unplaced_notes,
            "misses": dict(sorted(misses.items())),
            "covered_misses": dict(sorted(cov_misses.items())),
        }

    def confusion(self) -> dict[str, dict[str, int]]:
        """ACLED sub-event type -> frontwatch kind (the matched event's, else the note's best) -> notes."""
        table: dict[str, Counter] = {}
        for r in self.results:
            table.setdefault(r.note.sub_event_type, Counter())[r.kind] += 1
        return {k: dict(v.most_common()) for k, v in sorted(table.items(), key=lambda kv: -sum(kv[1].values()))}


def _explainer(doc, gaz) -> Callable[[Event], list[str]]:  # noqa: ANN001
    """Why an event's place came out as it did: its mention's candidates and their scores."""
    from frontwatch.extract.places import explain

    rows = explain(doc, gaz)

    def why(e: Event) -> list[str]:
        out: list[str] = []
        mention = e.location.mention
        for m, ranked in rows:
            if mention is not None and m.mention != mention:
                continue
            out.append(f"  mention '{m.mention}': {m.reason or ''}")
            for s in ranked[:5]:
                p = s.place
                out.append(f"    {s.score:.2f} {p.name} ({p.admin1 or p.country}, {p.feature_code}) {s.why}")
            break
        others = [m for m, _ in rows if m.mention != mention]
        if others:
            out.append("  other mentions: " + "; ".join(
                f"{m.mention} -> {m.name or 'unresolved'}" + (" [metonymy]" if m.metonymy else "") for m in others))
        return out

    return why


def evaluate_acled(notes: Iterable[Note], nlp=None, gazetteer=None, verbose: bool = False,  # noqa: ANN001
                   near_km: float = NEAR_KM, batch_size: int = 32) -> AcledResult:
    """Run extraction on every note (one report each) and score it against ACLED's coding."""
    from frontwatch.ingest import content_hash
    from frontwatch.pipeline import _default_parts, batches, extract_from_doc

    nlp, gaz = _default_parts(nlp, gazetteer)
    notes = list(notes)
    by_id: dict[str, Note] = {}
    reports: list[Report] = []
    for i, n in enumerate(notes):
        rid = n.id if n.id not in by_id else f"{n.id}#{i}"
        by_id[rid] = n
        reports.append(Report(report_id=rid, date=n.date, text=n.text, content_hash=content_hash(n.text, n.date),
                              origin=rid))
    results: list[NoteResult] = []
    for batch in batches(reports, batch_size):
        for doc, report in zip(nlp.pipe([r.text for r in batch], batch_size=len(batch)), batch, strict=True):
            ext = extract_from_doc(doc, report, gaz)
            note = by_id[report.report_id]
            covered = note.covered if note.covered is not None else gazetteer_covers(note, gaz)
            # statements of state ("the Russian-held town of X") are no ACLED event
            events = [e for e in ext.events if is_acled_kind(e.kind)]
            results.append(score_note(note, events, covered, near_km,
                                      explain=_explainer(doc, gaz) if verbose else None))
    return AcledResult(results)
