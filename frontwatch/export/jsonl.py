"""JSON Lines export: one contract Event (contract §2) per line, UTF-8, text exactly as stored.

The same shape `frontwatch extract --format jsonl` prints, so files can be concatenated.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO

from frontwatch.model import Event


def write_jsonl(events: Iterable[Event], f: IO[str]) -> int:
    n = 0
    for ev in events:
        f.write(json.dumps(ev.to_json_dict(), ensure_ascii=False) + "\n")
        n += 1
    return n
