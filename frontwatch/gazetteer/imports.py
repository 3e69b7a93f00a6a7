"""`gazetteer import`: GeoNames dump files into the user's gazetteer data (FRONTWATCH_HOME).

Reads the 19-column geoname tables (UA.txt, allCountries.txt), alternateNamesV2.txt and
admin1CodesASCII.txt; writes compact gzip TSV files that build.py merges into the index.
"""

from __future__ import annotations

import gzip
import hashlib
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from frontwatch.gazetteer.build import user_data_dir
from frontwatch.gazetteer.names import is_cyrillic, is_latin

# The feature classes a war map needs: populated places, admin areas, regions, water (rivers).
KEEP_CLASSES = {"P", "A", "L", "H"}
KEEP_A_CODES = {"ADM1", "ADM2", "ADM3", "PCLI", "PCLD", "PCLS", "PCLF", "TERR", "ADMD"}
KEEP_H_CODES = {"STM", "STMS", "LK", "LKS", "RSV", "CNL", "BAY", "ESTY", "LGN", "SEA", "STRT", "GULF"}
KEEP_L_CODES = {"RGN", "AREA", "PRK", "RGNH", "ISTH", "PEN", "CST"}
# Alternate-name "languages" that are codes and links, not names.
SKIP_LANGS = {"link", "wkdt", "post", "iata", "icao", "faac", "fr_1793", "abbr", "unlc", "tcid", "phon", "piny"}
GEONAME_COLUMNS = 19


@dataclass
class ImportSummary:
    places: int = 0
    alternate_names: int = 0
    admin1: int = 0
    skipped_rows: int = 0
    files: list[str] = field(default_factory=list)


def _open_lines(path: Path) -> Iterator[str]:
    """Lines of a dump, plain, gzip or the zip GeoNames serves (UA.zip holds UA.txt)."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.endswith(".txt") and not name.lower().startswith("readme"):
                    with z.open(name) as fh:
                        for raw in fh:
                            yield raw.decode("utf-8")
        return
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        yield from fh


def _kind(path: Path) -> str:
    for line in _open_lines(path):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.rstrip("\n").split("\t")
        if len(cols) == GEONAME_COLUMNS:
            return "geoname"
        if len(cols) == 4 and "." in cols[0]:
            return "admin1"
        if len(cols) >= 8 and cols[0].isdigit() and cols[1].isdigit():
            return "altnames"
        raise ValueError(f"{path}: line 1 has {len(cols)} tab-separated columns; expected a GeoNames table "
                         "(19 columns), alternateNamesV2.txt or admin1CodesASCII.txt")
    raise ValueError(f"{path}: empty")


def _clean(s: str) -> str:
    return s.replace("\t", " ").replace("\n", " ").strip()


def _useful_name(n: str) -> bool:
    return bool(n) and len(n) <= 60 and (is_latin(n) or is_cyrillic(n))


def _out_path(kind: str, src: Path) -> Path:
    tag = hashlib.sha256(str(src.resolve()).encode()).hexdigest()[:8]
    return user_data_dir() / f"{kind}-{src.name.split('.')[0]}-{tag}.tsv.gz"


def _write(path: Path, rows: Iterable[list[str]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    n = 0
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        for r in rows:
            fh.write("\t".join(r) + "\n")
            n += 1
    tmp.replace(path)
    return n


def _geoname_rows(path: Path, countries: set[str] | None, summary: ImportSummary) -> Iterator[list[str]]:
    for line in _open_lines(path):
        cols = line.rstrip("\n").split("\t")
        if len(cols) != GEONAME_COLUMNS:
            summary.skipped_rows += 1
            continue
        (gid, name, ascii_name, alts, lat, lon, fclass, fcode, cc, _cc2, a1, _a2, _a3, _a4, pop,
         *_rest) = cols
        if countries and cc not in countries:
            continue
        if fclass not in KEEP_CLASSES or (fclass == "A" and fcode not in KEEP_A_CODES) \
                or (fclass == "H" and fcode not in KEEP_H_CODES) or (fclass == "L" and fcode not in KEEP_L_CODES):
            continue
        try:
            float(lat), float(lon), int(gid)
        except ValueError:
            summary.skipped_rows += 1
            continue
        names = [a for a in ({ascii_name} | set(alts.split(","))) if _useful_name(a) and a != name]
        yield [gid, _clean(name), lat, lon, fclass, fcode, cc, a1, pop or "0",
               ",".join(_clean(a).replace(",", " ") for a in sorted(names))]


def import_files(paths: list[Path], countries: set[str] | None = None) -> ImportSummary:
    """Import GeoNames dumps; the next `get_gazetteer()` (in a new process, or after
    `reset_gazetteer()`) rebuilds the index with them."""
    summary = ImportSummary()
    kinds = [(p, _kind(p)) for p in paths]
    # Places first, so that alternate names can be kept for the places we hold only.
    for p, kind in kinds:
        if kind == "geoname":
            summary.places += _write(_out_path("places", p), _geoname_rows(p, countries, summary))
            summary.files.append(str(p))
    for p, kind in kinds:
        if kind == "admin1":
            rows = []
            for line in _open_lines(p):
                cols = line.rstrip("\n").split("\t")
                if len(cols) >= 4 and "." in cols[0]:
                    if countries and cols[0].split(".")[0] not in countries:
                        continue
                    rows.append([cols[0], _clean(cols[1]), cols[3] if cols[3].isdigit() else "0"])
            summary.admin1 += _write(_out_path("admin1", p), rows)
            summary.files.append(str(p))
    alt_files = [p for p, kind in kinds if kind == "altnames"]
    if alt_files:
        wanted = _known_ids()
        for p in alt_files:
            summary.alternate_names += _write(_out_path("altnames", p), _alt_rows(p, wanted, summary))
            summary.files.append(str(p))
    return summary


def _known_ids() -> set[int]:
    """GeoNames ids of the bundled and imported places (alternate names of others are dropped)."""
    from frontwatch.gazetteer.build import load_or_build

    index, _, _ = load_or_build()
    return {g for g in index["ids"] if g}


def _alt_rows(path: Path, wanted: set[int], summary: ImportSummary) -> Iterator[list[str]]:
    for line in _open_lines(path):
        cols = line.rstrip("\n").split("\t")
        if len(cols) < 4 or not cols[1].isdigit():
            summary.skipped_rows += 1
            continue
        if cols[2] in SKIP_LANGS or int(cols[1]) not in wanted:
            continue
        historic = len(cols) > 7 and cols[7] == "1"
        if historic and not is_latin(cols[3]):
            continue
        if _useful_name(cols[3]):
            yield [cols[1], _clean(cols[3])]
