"""Fusion's rule weights, read once from frontwatch/data/fusion/rules.yaml.

Weights and word lists are data so an analyst can tune them without touching the rules' code.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

RULES_PATH = Path(__file__).resolve().parent.parent / "data" / "fusion" / "rules.yaml"


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    with RULES_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)
