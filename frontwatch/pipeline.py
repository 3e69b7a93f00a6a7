"""Extraction as one pure function of (report, model, gazetteer): Report -> Extraction.

The CLI, the web server, the worker pool and the Spark runner all call `extract_report` or
`extract_reports`, so every path gives the same events for the same report.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language

from frontwatch.model import Extraction, Report


def _default_parts(nlp: Language | None, gazetteer):  # noqa: ANN001, ANN202
    if nlp is None:
        from frontwatch.nlp import get_nlp

        nlp = get_nlp()
    if gazetteer is None:
        from frontwatch.gazetteer import get_gazetteer

        gazetteer = get_gazetteer()
    return nlp, gazetteer


def extract_from_doc(doc, report: Report, gazetteer) -> Extraction:  # noqa: ANN001
    """Places and events from an already parsed report."""
    from frontwatch.extract.events import extract_events
    from frontwatch.extract.places import find_places
    from frontwatch.extract.states import extract_states
    from frontwatch.nlp import forget_token_caches, seed_text

    seed_text(doc, report.text)
    places = find_places(doc, gazetteer)
    events = extract_events(doc, report, places)
    states = extract_states(doc, report, places)
    if states:
        events = sorted(events + states, key=lambda e: (e.evidence[0].start, e.kind))
    forget_token_caches(doc)
    return Extraction(report=report, places=places, events=events)


def extract_report(report: Report, nlp: Language | None = None, gazetteer=None) -> Extraction:  # noqa: ANN001
    nlp, gazetteer = _default_parts(nlp, gazetteer)
    return extract_from_doc(nlp(report.text), report, gazetteer)


# The parser's memory grows with the text parsed in one batch (one 125,000-character article alone
# peaks near 650 MB), so a batch holds at most this many characters (long articles go alone) as
# well as at most `batch_size` reports: one process stays under 1 GB whatever the corpus.
MAX_BATCH_CHARS = 60_000


def batches(reports: Iterable[Report], size: int, max_chars: int = MAX_BATCH_CHARS) -> Iterator[list[Report]]:
    """Consecutive reports, at most `size` of them and `max_chars` characters (at least one)."""
    batch: list[Report] = []
    chars = 0
    for r in reports:
        if batch and (len(batch) >= size or chars + len(r.text) > max_chars):
            yield batch
            batch, chars = [], 0
        batch.append(r)
        chars += len(r.text)
    if batch:
        yield batch


def extract_reports(
    reports: Iterable[Report], nlp: Language | None = None, gazetteer=None, batch_size: int = 16  # noqa: ANN001
) -> Iterator[Extraction]:
    """Extraction of many reports in order, parsed with `nlp.pipe` in bounded batches."""
    nlp, gazetteer = _default_parts(nlp, gazetteer)
    for batch in batches(reports, batch_size):
        for doc, report in zip(nlp.pipe([r.text for r in batch], batch_size=len(batch)), batch, strict=True):
            yield extract_from_doc(doc, report, gazetteer)
