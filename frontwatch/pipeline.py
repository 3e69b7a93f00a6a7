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

    places = find_places(doc, gazetteer)
    events = extract_events(doc, report, places)
    return Extraction(report=report, places=places, events=events)


def extract_report(report: Report, nlp: Language | None = None, gazetteer=None) -> Extraction:  # noqa: ANN001
    nlp, gazetteer = _default_parts(nlp, gazetteer)
    return extract_from_doc(nlp(report.text), report, gazetteer)


def extract_reports(
    reports: Iterable[Report], nlp: Language | None = None, gazetteer=None, batch_size: int = 16  # noqa: ANN001
) -> Iterator[Extraction]:
    """Extraction of many reports in order, parsing them in batches with `nlp.pipe`."""
    nlp, gazetteer = _default_parts(nlp, gazetteer)
    reports_iter = iter(reports)
    pending: list[Report] = []

    def texts() -> Iterator[str]:
        for r in reports_iter:
            pending.append(r)
            yield r.text

    for doc in nlp.pipe(texts(), batch_size=batch_size):
        report = pending.pop(0)
        yield extract_from_doc(doc, report, gazetteer)
