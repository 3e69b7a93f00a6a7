"""Dates: explicit dates, weekdays and relative expressions resolved against the report date.

Reads spaCy's DATE/TIME entities (already computed by the parse) plus a few words NER misses
("overnight"); durations ("6-month-old battle", "months-long") are never event dates.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from frontwatch.nlp import doc_ents, doc_text, doc_tokens

# Events more than this many days before the report are background, not news.
NEWS_WINDOW_DAYS = 30
# "days ago" without a number: two to ten days before the report.
DAYS_AGO = (2, 10)

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
SMALL_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "a": 1, "a couple of": 2, "a few": 3, "several": 3}
# Words NER does not always mark as dates, resolved on their own.
LONE_WORDS = {"overnight", "yesterday", "today", "tonight"}

_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?,?\s*(\d{4})?\b")
_MDY = re.compile(r"\b([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s*(\d{4}))?\b")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_MONTH_RE = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
# Explicit dates NER sometimes labels as something else ("On 9 September 2022," as an EVENT).
_EXPLICIT = re.compile(
    rf"\b(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}\.?(?:,?\s+\d{{4}})?"
    rf"|{_MONTH_RE}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)\b",
    re.IGNORECASE,
)
_DURATION = re.compile(r"-old\b|-long\b|\blong\b|\bold\b|\bfor\b")


@dataclass
class When:
    earliest: dt.date
    latest: dt.date
    precision: int = 1           # ACLED time_precision: 1 day, 2 week, 3 month
    text: str | None = None

    @property
    def day(self) -> dt.date | None:
        return self.earliest if self.earliest == self.latest else None

    def historical(self, report_date: dt.date) -> bool:
        return self.latest < report_date - dt.timedelta(days=NEWS_WINDOW_DAYS)


@dataclass
class TimeMention:
    start: int                   # token indices of the expression
    end: int
    head: Token                  # the token it hangs from in the parse (to attach it to a verb)
    when: When


def _day(d: dt.date, text: str, precision: int = 1) -> When:
    return When(d, d, precision, text)


def _month_range(year: int, month: int, text: str, part: str | None = None) -> When:
    last = calendar.monthrange(year, month)[1]
    lo, hi = 1, last
    if part == "early":
        hi = 10
    elif part in ("mid", "middle"):
        lo, hi = 11, 20
    elif part == "late":
        lo = 21
    return When(dt.date(year, month, lo), dt.date(year, month, hi), 3, text)


def _year_for_month(month: int, day: int, report_date: dt.date, explicit: str | None) -> int:
    if explicit:
        return int(explicit)
    # A month after the report's month is last year's ("in November" read in March).
    if (month, day) > (report_date.month, report_date.day):
        return report_date.year - 1
    return report_date.year


def _last_weekday(report_date: dt.date, weekday: int, strictly_before: bool = False) -> dt.date:
    back = (report_date.weekday() - weekday) % 7
    if back == 0 and strictly_before:
        back = 7
    return report_date - dt.timedelta(days=back)


def resolve(text: str, report_date: dt.date) -> When | None:
    """The dates a time expression can mean, or None for durations and unknown forms."""
    s = text.lower().replace("’", "'").strip()
    if not s or _DURATION.search(s) and not re.search(r"\bago\b", s):
        return None
    rd = report_date
    if m := _ISO.search(s):
        try:
            return _day(dt.date(int(m[1]), int(m[2]), int(m[3])), text)
        except ValueError:
            return None
    for m in _DMY.finditer(s):
        if m[2] in MONTHS:
            month, day = MONTHS[m[2]], int(m[1])
            try:
                return _day(dt.date(_year_for_month(month, day, rd, m[3]), month, day), text)
            except ValueError:
                return None
    for m in _MDY.finditer(s):
        if m[1] in MONTHS:
            month, day = MONTHS[m[1]], int(m[2])
            try:
                return _day(dt.date(_year_for_month(month, day, rd, m[3]), month, day), text)
            except ValueError:
                return None
    words = re.findall(r"[a-z]+|\d+", s)
    if "yesterday" in words:
        return _day(rd - dt.timedelta(days=1), text)
    if "overnight" in words or ("last" in words and "night" in words):
        return When(rd - dt.timedelta(days=1), rd, 1, text)
    if "today" in words or "tonight" in words or s.startswith("this "):
        if "week" in words:
            return When(rd - dt.timedelta(days=rd.weekday()), rd, 2, text)
        if "month" in words:
            return When(rd.replace(day=1), rd, 3, text)
        if "year" in words:
            return When(rd.replace(month=1, day=1), rd, 3, text)
        return _day(rd, text)
    if "day" in words and ("before" in words or "earlier" in words or "previous" in words):
        return _day(rd - dt.timedelta(days=1), text)
    if "ago" in words:
        unit = next((w for w in words if w.rstrip("s") in ("day", "week", "month", "year")), None)
        num = next((int(w) for w in words if w.isdigit()), None)
        if num is None:
            num = next((n for w, n in SMALL_NUMBERS.items() if re.search(rf"\b{w}\b", s) and w not in ("a",)), None)
        if num is None and re.search(r"\ba (day|week|month|year)\b", s):
            num = 1
        if unit is None:
            return None
        unit = unit.rstrip("s")
        if unit == "day":
            if num is None:
                return When(rd - dt.timedelta(days=DAYS_AGO[1]), rd - dt.timedelta(days=DAYS_AGO[0]), 2, text)
            return _day(rd - dt.timedelta(days=num), text)
        if unit == "week":
            n = num or 2
            mid = rd - dt.timedelta(days=7 * n)
            return When(mid - dt.timedelta(days=4), min(rd, mid + dt.timedelta(days=4)), 2, text)
        if unit == "month":
            n = num or 2
            mid = rd - dt.timedelta(days=30 * n)
            return When(mid - dt.timedelta(days=15), mid + dt.timedelta(days=15), 3, text)
        return None
    if "last" in words or "past" in words:
        if "week" in words:
            if "past" in words:
                return When(rd - dt.timedelta(days=7), rd, 2, text)
            monday = rd - dt.timedelta(days=rd.weekday() + 7)
            return When(monday, monday + dt.timedelta(days=6), 2, text)
        if "month" in words:
            if "past" in words:
                return When(rd - dt.timedelta(days=31), rd, 3, text)
            first = (rd.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
            return _month_range(first.year, first.month, text)
        if "weekend" in words:
            sat = _last_weekday(rd, 5, strictly_before=True)
            return When(sat, sat + dt.timedelta(days=1), 2, text)
    if "weekend" in words:
        sat = _last_weekday(rd, 5)
        return When(sat, min(rd, sat + dt.timedelta(days=1)), 2, text)
    for w in words:
        if w in WEEKDAYS:
            return _day(_last_weekday(rd, WEEKDAYS[w], strictly_before="last" in words), text)
    for i, w in enumerate(words):
        if w in MONTHS and len(w) > 2:
            year_m = _YEAR.search(s)
            month = MONTHS[w]
            year = int(year_m[0]) if year_m else _year_for_month(month, 1, rd, None)
            part = words[i - 1] if i and words[i - 1] in ("early", "mid", "middle", "late") else None
            when = _month_range(year, month, text, part)
            if when.earliest > rd:
                return None
            when.latest = min(when.latest, rd)
            return when
    if (m := _YEAR.search(s)) and len(words) <= 3:
        year = int(m[0])
        if year > rd.year or year < rd.year - 80:
            return None  # "Metalist 1925" is a name, not a date
        return When(dt.date(year, 1, 1), min(rd, dt.date(year, 12, 31)), 3, text)
    return None


def _expression(doc: Doc, ent: Span) -> tuple[int, int, str]:
    """The entity plus the words around it that change its meaning ("the day" + "before")."""
    start, end = ent.start, ent.end
    if end < len(doc) and doc[end].lower_ in ("before", "earlier", "ago", "evening", "morning", "night"):
        end += 1
    return start, end, doc[start:end].text


def find_times(doc: Doc, report_date: dt.date) -> list[TimeMention]:
    """Every resolvable time expression in the report, in text order."""
    found: list[TimeMention] = []
    covered: set[int] = set()
    for ent in doc_ents(doc):
        if ent.label_ not in ("DATE", "TIME"):
            continue
        start, end, text = _expression(doc, ent)
        prev = doc[start - 1].lower_ if start else ""
        if prev in ("since", "until", "for", "by", "throughout") or "-" in ent.text and "old" in ent.text:
            continue  # a duration or a bound, not the day an event happened
        when = resolve(text, report_date)
        covered.update(range(start, end))
        if when is not None:
            found.append(TimeMention(start, end, ent.root, when))
    for m in _EXPLICIT.finditer(doc_text(doc)):
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is None or any(i in covered for i in range(span.start, span.end)):
            continue
        when = resolve(m.group(0), report_date)
        if when is not None:
            covered.update(range(span.start, span.end))
            found.append(TimeMention(span.start, span.end, span.root, when))
    for t in doc_tokens(doc):
        if t.lower_ == "ago" and t.i not in covered:
            # "days ago" that NER missed: the few words before "ago"
            start = max(t.sent.start, t.i - 3)
            when = resolve(doc[start : t.i + 1].text, report_date)
            if when is not None:
                found.append(TimeMention(start, t.i + 1, t, when))
            continue
        if t.i not in covered and t.lower_ in LONE_WORDS:
            when = resolve(t.text, report_date)
            if when is not None:
                found.append(TimeMention(t.i, t.i + 1, t, when))
    found.sort(key=lambda m: m.start)
    return found
