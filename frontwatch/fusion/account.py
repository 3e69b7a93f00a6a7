"""The `why` text: a settlement's verdict on a date in plain language, event by event.

Each piece of evidence is told with its quoted sentence, who said it (claimant, via, stance),
the outlet and date, how it was counted, and what further evidence would change the verdict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from frontwatch.fusion.timeline import (
    Assertion,
    PlaceInfo,
    Run,
    Segment,
    Voice,
    live_segments,
    state_at,
)
from frontwatch.model import Event

SIDE_ADJ = {"UA": "Ukrainian", "RU": "Russian", "neutral": "neutral"}
CONTROLLER_WORDS = {"UA": "held by Ukraine (UA)", "RU": "held by Russia (RU)", "contested": "contested"}
CATEGORY_WORDS = {
    "admission": "an admission by the side that loses it (strong evidence)",
    "witnessed": "a witnessed report (strong evidence)",
    "asserted": "the report's own statement (establishes control)",
    "neutral_claim": "a neutral party's claim (establishes control)",
    "claim": "one party's claim (weaker evidence)",
    "hedged": "a hedged report (weak evidence)",
    "denied": "a denial",
    "baseline": "an analyst's baseline map",
}
STANCE_WORDS = {"asserted": "states", "claimed": "claimed", "witnessed": "saw", "hedged": "reported with a hedge",
                "denied": "denied"}
KIND_WORDS = {"territory_regained": "retaking of territory", "territory_captured": "capture of territory",
              "withdrawal": "withdrawal", "entered": "troops entering", "armed_clash": "fighting inside the town",
              "baseline": "baseline map row", "held": "described as held"}


def _who(v: Voice, via: Sequence[str]) -> str:
    if v.claimant:
        side = f" ({SIDE_ADJ.get(v.side, 'unknown')} side)" if v.side else ""
        who = f"{v.claimant}{side}"
    elif v.stance == "asserted":
        who = "the report itself"
    else:
        who = "unnamed sources"
    verb = STANCE_WORDS.get(v.stance or "asserted", v.stance or "says")
    chain = f", as passed on by {', '.join(via)}" if via else ""
    return f"{who} {verb}{chain}"


def _control_words(ev: Event | None, a: Assertion) -> str:
    if a.baseline:
        return f"baseline: {a.outcome}"
    kind = KIND_WORDS.get(a.kind, a.kind)
    if a.kind == "held" and ev is not None and ev.control is not None and ev.control.to in SIDE_ADJ:
        return f"described as {CONTROLLER_WORDS.get(ev.control.to, ev.control.to)} on the report's day"
    if a.holds and a.kind == "armed_clash":
        side = SIDE_ADJ.get(a.holds, a.holds)
        attacker = SIDE_ADJ.get({"UA": "RU", "RU": "UA"}.get(a.holds, ""), "other")
        kind = (f"an assault repelled by the {side} side" if a.settles
                else f"an attempt to take it or an attack on it by the {attacker} side")
    elif a.holds_only:
        return f"withdrawal from around the town (ends a contest: {a.holds})"
    if ev is not None and ev.control is not None:
        return f"{kind}, control to {ev.control.to} ({ev.control.extent})"
    return kind


def _role(a: Assertion, run: Run, on: dt.date, superseded_before: dt.date) -> str:
    if a.event_id and a.event_id in run.pending_evidence:
        return f"REPORTS a change to {run.pending}, waiting for confirmation (not enough alone to change the map)"
    if a.event_id and a.event_id in run.disputed_by:
        return "DISPUTES the verdict"
    if a.baseline and a.t >= run.since and run.baseline:
        return "SETS the verdict (baseline)"
    if a.event_id and a.event_id in run.evidence:
        return "MAKES IT CONTESTED" if run.controller == "contested" else "SUPPORTS the verdict"
    if a.holds and run.controller == "contested" and run.lean == a.holds:
        return (f"says it is not the attackers': points to {CONTROLLER_WORDS[a.holds]} once no fighting inside is "
                f"reported (rule 11)")
    if a.holds_only:
        return "changes nothing: it is about the area near the town, and only ends a contest (rule 11)"
    if a.clash:
        return "lowers confidence (fighting is not a change of hands)"
    if a.outcome == "contested" and a.side == run.controller:
        return "changes nothing (a side entering a place it already holds)"
    if a.t < superseded_before:
        return "superseded by newer evidence about a later date"
    return "outweighed on the same day"


def reported_words(run: Run, population: int, on: dt.date) -> list[str]:
    """Plain words for a change that is reported but not confirmed (rule 10), and what would confirm it."""
    from frontwatch.fusion.timeline import earn_needed, earn_points

    if run.pending is None:
        return []
    target = CONTROLLER_WORDS[run.pending]
    have = earn_points(run.pending_voices)
    need, extra = earn_needed(run, run.pending_since or on, population)
    n = len(run.pending_evidence)
    lines = [f"REPORTED, NOT CONFIRMED: {n} report(s) since {run.pending_since} say it is now {target}, but "
             f"that is not yet enough to change the map (evidence worth {have:g} of the {need:g} points a change "
             f"needs{' for ' + ' and '.join(extra) if extra else ''}). The map keeps it "
             f"{CONTROLLER_WORDS[run.controller]} until it is confirmed."]
    if run.pending in ("UA", "RU"):
        loser = "RU" if run.pending == "UA" else "UA"
        lines.append(f"What would confirm it: a {SIDE_ADJ[loser]}-side admission (e.g. {SIDE_ADJ[loser]} forces "
                     f"saying they withdrew), a witnessed report, or more independent sources (another outlet, "
                     f"another speaker) saying the same; each independent source counts once.")
    else:
        lines.append("What would confirm it: a witnessed report of fighting inside the town, an admission, or "
                     "more independent sources (another outlet, another speaker) saying the same.")
    return lines


def what_would_change(run: Run) -> str:
    c = run.controller
    if c in ("UA", "RU"):
        other = "RU" if c == "UA" else "UA"
        if not run.established:
            return (f"This rests only on one party's word. A {SIDE_ADJ[other]}-side admission (e.g. {SIDE_ADJ[other]} "
                    f"forces saying they withdrew or regrouped), a witnessed report or an independent neutral "
                    f"confirmation would raise confidence; a {SIDE_ADJ[other]} denial would make it contested; a "
                    f"newer report of {SIDE_ADJ[other]} forces taking it would change hands again.")
        return (f"A newer, dated report of {SIDE_ADJ[other]} forces taking or entering it would supersede this "
                f"(entering gives contested). A denial would make it contested unless the verdict rests on an "
                f"admission or a witnessed report, in which case it only lowers confidence.")
    return ("A report that one side fully controls it — an admission by the other side, a witnessed report, a "
            "neutral confirmation, or (failing those) a newer one-party claim about a later date — would settle it.")


def _uncounted_reason(ev: Event) -> str:
    if ev.location.geo_precision == 2 and ev.control is None:
        return "it is about the area near the town, not the town itself"
    if ev.control is None or ev.control.to is None:
        return "it does not say which side holds the town"
    if ev.kind == "armed_clash":
        return "fighting near a town does not change who holds it"
    return "it does not bear on control"


def explain_place(place: PlaceInfo, assertions: Sequence[Assertion], events: Mapping[str, Event],
                  outlets: Mapping[str, tuple[str | None, dt.date | None]], on: dt.date,
                  uncounted: Sequence[Event] = ()) -> str:
    """The explanation for one place from its assertions (pure); `uncounted` are events about the
    place of the control kinds that say nothing about its controller (told, with why)."""
    segs = live_segments(assertions)
    seg: Segment | None = state_at(segs, on)
    gid = f" (GeoNames {place.geonames_id})" if place.geonames_id else ""
    lines: list[str] = []
    if seg is None:
        lines.append(f"{place.name}{gid} on {on}: no verdict. Nothing reported by {on} says who holds it.")
        later = [a for a in assertions if a.available > on]
        if later:
            lines.append(f"({len(later)} piece(s) of evidence were reported only after {on}.)")
        return "\n".join(lines) + "\n"
    run = seg.run
    lines.append(f"{place.name}{gid} on {on}: {CONTROLLER_WORDS[run.controller]} since {run.since}, "
                 f"confidence {run.confidence():.2f}.")
    if run.controller in ("UA", "RU") and not run.established:
        lines.append("This is a weaker verdict: it rests on one party's claims, with no admission, witness or "
                     "neutral confirmation.")
    if run.ended == "quiet":
        from frontwatch.fusion.timeline import _settings

        lines.append(f"The contest ended (rule 11): no fighting inside it reported for {_settings().quiet_days} days, "
                     f"and the evidence of the contest (the other side's attempts to take it or attacks on it) "
                     f"points one way. A weaker verdict: a report of fighting inside or of a side entering would "
                     f"make it contested again.")
    elif run.ended == "settled":
        lines.append("The contest ended (rule 11): the side that fought for it withdrew from around it, or an "
                     "assault on it was repelled.")
    lines.extend(reported_words(run, max((a.population for a in assertions), default=0), on))
    n_sources = len(run.sources)
    lines.append(f"Independent sources behind it: {n_sources} (copies of one text or one speaker count once).")
    lines.append("")
    lines.append(f"What the reporting says, in date order (only what was reported by {on}):")
    known = sorted((a for a in assertions if a.available <= on and not a.historical),
                   key=lambda a: (a.t, a.known, a.event_id or ""))
    for i, a in enumerate(known, 1):
        ev = events.get(a.event_id or "")
        outlet, rdate = outlets.get(a.report_id or "", (None, a.known))
        src = f"{outlet or 'an unnamed outlet'}, {rdate}" if not a.baseline else "imported baseline"
        lines.append(f"{i}. {a.t} — {_control_words(ev, a)} [{src}]")
        for v in a.voices:
            claim = None
            if ev is not None:
                claim = next((c for c in ev.claims if c.claimant == v.claimant and c.stance == v.stance), None)
            via = claim.via if claim else []
            quote = (claim.quote if claim and claim.quote else None) or (ev.evidence[0].text if ev else None)
            lines.append(f"   {_who(v, via)}: counted as {CATEGORY_WORDS.get(v.category, v.category)}, "
                         f"weight {v.weight:.2f}.")
            if quote:
                lines.append(f"   “{' '.join(quote.split())}”")
        lines.append(f"   → {_role(a, run, on, run.since)}.")
    skipped = [ev for ev in uncounted if ev.report_date <= on]
    if skipped:
        lines.append("")
        lines.append("Also reported, but not counted:")
        for ev in skipped:
            who = ", ".join(f"{c.claimant or 'unnamed'} ({c.stance})" for c in ev.claims) or "the report"
            outlet, rdate = outlets.get(ev.report_id, (None, ev.report_date))
            lines.append(f"- {KIND_WORDS.get(ev.kind, ev.kind)} per {who} [{outlet or 'an unnamed outlet'}, "
                         f"{rdate}]: “{' '.join(ev.evidence[0].text.split())}” — not counted: "
                         f"{_uncounted_reason(ev)}.")
    hist = [a for a in assertions if a.historical and a.known <= on]
    if hist:
        lines.append("")
        lines.append("Not counted for this date: historical background, which never moves the current map:")
        for a in hist:
            ev = events.get(a.event_id or "")
            text = " ".join(ev.evidence[0].text.split()) if ev else ""
            lines.append(f"- reported {a.known}: “{text}”")
    later = [a for a in assertions if a.available > on]
    if later:
        lines.append(f"({len(later)} later piece(s) of evidence, reported after {on}, are not used for this date.)")
    lines.append("")
    lines.append("What would change this verdict: " + what_would_change(run))
    return "\n".join(lines) + "\n"


def explain_from_store(store, place: str, on: dt.date) -> str:  # noqa: ANN001
    from frontwatch.fusion import (
        _clusters_per_place,
        _events_for_places,
        _fusion_kinds,
        _matches,
        _with_aliases,
    )
    from frontwatch.fusion.timeline import assertion_of, baseline_assertions, collect, place_of
    from frontwatch.store import EventFilter

    # Find the place's key: by id, name or mention among the events that can move control.
    candidates: dict[str, PlaceInfo] = {}
    probe = place.strip()
    for ev in _with_aliases(store, store.event_views(EventFilter(place=probe, kinds=_fusion_kinds()))):
        p = place_of(ev.location)
        if p is not None:
            candidates.setdefault(p.key, p)
    if not candidates:
        # the baseline may know the place even when no event does
        for row in store.baseline():
            info = PlaceInfo("", row.place, row.geonames_id, row.latitude, row.longitude)
            if _matches(place, "", info):
                base, _ = baseline_assertions([row], {})
                if base:
                    candidates.setdefault(base[0].place, PlaceInfo(base[0].place, row.place, row.geonames_id,
                                                                  row.latitude, row.longitude))
    if not candidates:
        return f"{place}: no stored evidence about who holds it (checked events of kinds that move control).\n"
    out = []
    per_place = _events_for_places(store, candidates, candidates, full=True)  # quotes and evidence are told
    clusters = _clusters_per_place(store, per_place)
    for key in sorted(candidates):
        evs = per_place.get(key, [])
        infos, _ = collect(evs, {}, ())
        info = infos.get(key, candidates[key])
        assertions = [a for ev in evs if (a := assertion_of(ev, clusters.get(key, {}))) is not None]
        base, _ = baseline_assertions(store.baseline(), {key: info})
        assertions += [a for a in base if a.place == key]
        outlets = store.report_heads({ev.report_id for ev in evs})
        counted = {a.event_id for a in assertions}
        uncounted = [ev for ev in evs if ev.event_id not in counted and not ev.historical]
        out.append(explain_place(info, assertions, {ev.event_id: ev for ev in evs}, outlets, on, uncounted))
    return "\n".join(out)
