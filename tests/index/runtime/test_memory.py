"""Freed memory goes back to the operating system."""

from __future__ import annotations

from pathlib import Path

from index.runtime.memory import return_free_memory


def resident_anonymous_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no RssAnon in /proc/self/status")


def test_freed_heap_memory_is_returned() -> None:
    """200 MiB of objects freed under one that stays: the C allocator keeps the pages
    until it is asked to give them back."""
    blocks = [bytes(2048) for _ in range(100_000)]
    kept = bytes(2048)  # above the freed ones in the heap
    del blocks
    before = resident_anonymous_mib()
    return_free_memory()
    after = resident_anonymous_mib()
    assert len(kept) == 2048
    assert before - after > 100, (before, after)
