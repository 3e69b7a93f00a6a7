"""Place-name spelling: the folded lookup key and Latin variants generated from Cyrillic names.

War reporting spells one place many ways (Izium / Izyum / Изюм, Balakliia / Balakliya / Balaklia);
`fold` maps the press habits to one key, `cyrillic_variants` generates the transliterations.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

# Letters that NFKD does not decompose into an ASCII base.
_SPECIAL = str.maketrans({
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ı": "i", "ß": "ss", "æ": "ae", "œ": "oe",
    "þ": "th", "ð": "d", "ŀ": "l", "ħ": "h",
})
# Apostrophes, soft-sign marks and quotes that transliterations keep or drop at will.
_MARKS = re.compile(r"[\'’‘`ʼʹʺ\"”“′″´]")
_NON_ALNUM = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
_DOUBLES = re.compile(r"(.)\1+")
_LATIN = re.compile(r"^[A-Za-z0-9 .,'’ʼ`()\-\u00C0-\u024F\u1E00-\u1EFF]+$")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def ascii_fold(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces: the exact-spelling key."""
    s = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = _MARKS.sub("", s)
    s = _NON_ALNUM.sub(" ", s)
    return _SPACES.sub(" ", s).strip()


@functools.lru_cache(maxsize=1 << 15)
def fold(text: str) -> str:  # cached: extraction folds the same capitalised words in every report
    """The lookup key: press habits folded so that the spellings of one name meet.

    ia/iya/ya and i/y (Balakliia, Balakliya, Balaklia), j for y (Kupjansk), dropped apostrophes
    (Kup'iansk), doubled letters (Kyiiv, Krasnyy) and hyphens all fold away.
    """
    s = ascii_fold(text)
    s = s.replace("j", "i").replace("y", "i")
    return _DOUBLES.sub(r"\1", s)


def is_latin(name: str) -> bool:
    return bool(_LATIN.match(name))


def is_cyrillic(name: str) -> bool:
    return bool(_CYRILLIC.search(name))


# --------------------------------------------------------------------------- transliteration
# Ukrainian national system (Cabinet of Ministers 2010): word-initial forms in _UA_INITIAL.
_UA = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "", "’": "", "ʼ": "",
    # Russian letters met in Ukrainian-context names, rendered as a Ukrainian speaker would.
    "ы": "y", "э": "e", "ё": "io", "ъ": "",
}
_UA_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
# Russian BGN/PCGN 1947.
_RU = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "'": "", "’": "", "ʼ": "",
}
_RU_VOWELS = set("аеёиоуыэюяіїє")
# Scholarly (ISO 9-like, as written without diacritics): j for й/я/ю/є, c for ц, ch for х.
_SCHOLARLY = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "je", "ж": "z", "з": "z",
    "и": "y", "і": "i", "ї": "ji", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "ch", "ц": "c", "ч": "c", "ш": "s", "щ": "sc",
    "ь": "", "ю": "ju", "я": "ja", "ы": "y", "э": "e", "ё": "jo", "ъ": "", "'": "", "’": "", "ʼ": "",
}


def _translit(word: str, table: dict[str, str], initial: dict[str, str] | None = None,
              ru_ye: bool = False) -> str:
    out: list[str] = []
    prev = ""
    for i, ch in enumerate(word):
        low = ch.lower()
        if low not in table:
            out.append(ch)
            prev = low
            continue
        if initial and i == 0 and low in initial:
            t = initial[low]
        elif ru_ye and low == "е" and (i == 0 or prev in _RU_VOWELS or prev in "ьъ"):
            t = "ye"
        else:
            t = table[low]
        out.append(t.capitalize() if ch.isupper() and t else t)
        prev = low
    return "".join(out)


def _words(name: str, fn) -> str:  # noqa: ANN001
    parts = re.split(r"([\s\-]+)", name)
    return "".join(p if re.match(r"[\s\-]+", p) else fn(p) for p in parts)


def ukrainian_national(name: str) -> str:
    s = name.replace("зг", "zgh").replace("Зг", "Zgh")
    return _words(s, lambda w: _translit(w, _UA, _UA_INITIAL))


def russian_bgn(name: str) -> str:
    return _words(name, lambda w: _translit(w, _RU, ru_ye=True))


def scholarly(name: str) -> str:
    return _words(name, lambda w: _translit(w, _SCHOLARLY))


def press_forms(latin: str) -> set[str]:
    """Newspaper simplifications the fold does not cover: Russian adjective endings -yy/-iy -> -y,
    and the -ye/-e ending pairs (Zaporozhye / Zaporozhe)."""
    out = {latin}
    out.add(re.sub(r"(?:yy|iy|yi|ii)\b", "y", latin))
    out.add(re.sub(r"ye\b", "e", latin))
    return out


def cyrillic_variants(name: str) -> set[str]:
    """Latin spellings of a Cyrillic name under the Ukrainian, Russian and scholarly systems."""
    if not is_cyrillic(name):
        return set()
    out: set[str] = set()
    for fn in (ukrainian_national, russian_bgn, scholarly):
        latin = fn(name)
        if is_cyrillic(latin):
            continue
        out |= press_forms(latin)
    return out


def is_ukrainian_cyrillic(name: str) -> bool:
    """A Cyrillic name with letters only Ukrainian uses (і ї є ґ or the apostrophe)."""
    return bool(re.search(r"[іїєґІЇЄҐ’ʼ']", name)) and is_cyrillic(name)


def fold_all(names: Iterable[str]) -> set[str]:
    return {k for k in (fold(n) for n in names) if k}


# --------------------------------------------------------------------------- unit names
def district_seat_names(word: str, endings: Iterable[str], seat_endings: Iterable[str],
                        alternations: dict[str, list[str]]) -> list[str]:
    """The names a unit's seat may have, from the unit's adjectival name: Ukrainian districts and
    communities are named -s'kyi / -s'ka / -s'ke after their seat ("Bakhmutskyi" -> Bakhmut,
    "Myrhorodska" -> Myrhorod, "Polohivskyi" -> Polohy). [] when the word is no such adjective.
    Only candidates: the gazetteer says which of them exist."""
    low = word.lower()
    stem = None
    for e in sorted(endings, key=len, reverse=True):
        if low.endswith(e.lower()) and len(low) - len(e) >= 3:
            stem = word[:len(word) - len(e)]
            break
    if stem is None:
        return []
    stems = [stem]
    for tail, repl in alternations.items():
        if stem.lower().endswith(tail):
            stems.extend(stem[:-len(tail)] + r for r in repl)
    out: list[str] = []
    for s in stems:
        for e in seat_endings:
            cand = s + e
            if cand not in out:
                out.append(cand)
    return out


def respellings(name: str, rules: list[tuple[str, str]], limit: int = 64) -> list[str]:
    """Ukrainian-style respellings of a Russian-style Latin name ("Krasnogorovka" ->
    "krasnohorivka"): every combination of the rules that changes something, in rule order.
    Candidates only; the gazetteer says which exist."""
    base = ascii_fold(name)
    out: list[str] = []
    seen = {base}
    frontier = [base]
    for pattern, repl in rules:
        rx = re.compile(pattern)
        new = []
        for s in frontier:
            t = rx.sub(repl, s)
            if t not in seen:
                seen.add(t)
                new.append(t)
                out.append(t)
        frontier.extend(new)
        if len(frontier) > limit:
            break
    return out
