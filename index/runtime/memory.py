"""Giving freed memory back to the operating system."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc


def return_free_memory() -> None:
    """Collect garbage, then ask the C allocator to hand its free pages back.

    glibc keeps the memory of freed large objects (a model's weights) for later
    allocations, so the process's resident memory does not fall when models are dropped;
    `malloc_trim` returns it. Elsewhere (no glibc) only the collection is done."""
    gc.collect()
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        trim = None
    if trim is not None:
        trim(0)
