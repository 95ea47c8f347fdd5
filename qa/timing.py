"""Stage timings of one question, in milliseconds (`timings_ms` of an answer)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


@contextmanager
def timed(timings: dict[str, float], name: str) -> Iterator[None]:
    """Add the block's time to the stage `name` (a stage may be timed in parts)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = round(timings.get(name, 0.0) + ms(time.perf_counter() - started), 2)
