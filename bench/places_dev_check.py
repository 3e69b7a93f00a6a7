"""Place accuracy over the dev gold (shared/gold/dev): the places helper's own check.

Runs nlp + find_places on each gold report and scores it with the eval rules (same GeoNames id,
or within near_km; absent_from_bundled must stay unresolved or be right; optional ones skipped).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from frontwatch.eval import score_places
from frontwatch.extract.places import find_places
from frontwatch.gazetteer import get_gazetteer
from frontwatch.nlp import get_nlp

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def report_text(path: Path) -> str:
    """The body of a dated-text report (the reader's job; kept minimal here)."""
    try:
        from frontwatch.ingest import read_reports
        from frontwatch.model import Report

        reps = [r for r in read_reports([path]) if isinstance(r, Report)]
        if reps:
            return reps[0].text
    except ImportError:
        pass
    text = path.read_text(encoding="utf-8").lstrip()
    text = re.sub(r"^date \d{4}-\d{2}-\d{2}[ \t]*\n?", "", text)
    lines = text.split("\n")
    while lines and re.match(r"^(source|url|title) ", lines[0]):
        lines.pop(0)
    return "\n".join(lines)


def main() -> int:
    from frontwatch.eval import ReportScore

    gold_dir = SHARED / "gold" / "dev"
    if not gold_dir.is_dir():
        print("no shared gold", file=sys.stderr)
        return 0
    nlp, gaz = get_nlp(), get_gazetteer()
    right = total = 0
    for gf in sorted(gold_dir.glob("*.gold.json")):
        gold = json.loads(gf.read_text(encoding="utf-8"))
        rp = SHARED / "samples" / Path(gold["report"]).name
        doc = nlp(report_text(rp))
        places = find_places(doc, gaz)
        s = ReportScore(name=gf.name)
        score_places(gold["places"], places, s)
        right += s.places_right
        total += s.places_total
        print(f"{gf.name}: {s.places_right}/{s.places_total}")
        for p in s.problems:
            print("   ", p)
        if "-v" in sys.argv:
            for m in places:
                print(f"      {m.mention!r:24} -> {m.name} {m.geonames_id} {m.feature_code} {m.admin1} "
                      f"score={m.score} met={m.metonymy} | {m.reason}")
    print(f"place accuracy {right}/{total} = {right / total:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
