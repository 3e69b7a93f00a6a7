"""Time expressions resolved against the report date (frontwatch.extract.time)."""

from __future__ import annotations

import datetime as dt

import pytest

from frontwatch.extract.time import find_times, resolve

SUNDAY = dt.date(2022, 9, 11)


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision"),
    [
        ("Saturday evening", "2022-09-10", "2022-09-10", 1),
        ("Sunday", "2022-09-11", "2022-09-11", 1),
        ("last Sunday", "2022-09-04", "2022-09-04", 1),
        ("yesterday", "2022-09-10", "2022-09-10", 1),
        ("overnight", "2022-09-10", "2022-09-11", 1),
        ("the day before", "2022-09-10", "2022-09-10", 1),
        ("days ago", "2022-09-01", "2022-09-09", 2),
        ("three days ago", "2022-09-08", "2022-09-08", 1),
        ("last week", "2022-08-29", "2022-09-04", 2),
        ("in March", "2022-03-01", "2022-03-31", 3),
        ("late May", "2022-05-21", "2022-05-31", 3),
        ("9 September 2022", "2022-09-09", "2022-09-09", 1),
        ("September 9", "2022-09-09", "2022-09-09", 1),
        ("2022-09-08", "2022-09-08", "2022-09-08", 1),
        ("November", "2021-11-01", "2021-11-30", 3),
    ],
)
def test_relative_and_explicit_dates(text: str, earliest: str, latest: str, precision: int) -> None:
    when = resolve(text, SUNDAY)
    assert when is not None
    assert (when.earliest.isoformat(), when.latest.isoformat(), when.precision) == (earliest, latest, precision)


@pytest.mark.parametrize("text", ["6-month-old", "months-long", "for three days"])
def test_durations_are_not_dates(text: str) -> None:
    assert resolve(text, SUNDAY) is None


def test_march_is_historical_in_september_but_last_week_is_not() -> None:
    assert resolve("in March", SUNDAY).historical(SUNDAY)
    assert not resolve("last week", SUNDAY).historical(SUNDAY)


def test_find_times_reads_the_parse() -> None:
    from frontwatch.nlp import get_nlp

    doc = get_nlp()("On 9 September 2022, Russian forces shelled Kupiansk. The 6-month-old war goes on.")
    days = [(t.when.earliest, t.when.latest) for t in find_times(doc, SUNDAY)]
    assert days == [(dt.date(2022, 9, 9), dt.date(2022, 9, 9))]
