"""The gazetteer room: GeoNames places, their spelling variants, and the compiled, cached index.

`get_gazetteer()` loads (or first compiles) the index once per process; `Gazetteer` answers
name lookups, typo-tolerant lookups and admin1 questions.
"""

from __future__ import annotations

import functools

from frontwatch.gazetteer.index import Gazetteer, Match, Place, haversine_km


@functools.lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The shared gazetteer (bundled data plus anything imported), compiled on first use."""
    from frontwatch.gazetteer.build import load_or_build

    index, path, built = load_or_build()
    return Gazetteer(index, path, built)


def reset_gazetteer() -> None:
    """Forget the loaded gazetteer (after an import, or when the cache dir changes)."""
    get_gazetteer.cache_clear()


__all__ = ["Gazetteer", "Match", "Place", "get_gazetteer", "haversine_km", "reset_gazetteer"]
