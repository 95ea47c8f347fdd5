"""torch's oneDNN switch, shared between threads.

multilingual-e5 in float32 embeds with oneDNN off: oneDNN keeps a compiled kernel, with
buffers sized by its batch, for every batch shape, which grew a large build's memory by
hundreds of MB (docs/indexing.md, Memory). The switch is process-wide, and products in
bfloat16 need oneDNN: scaled-dot-product attention in bfloat16 raises without it. So a
forward pass that needs oneDNN runs inside `onednn_needed()`, one that must not use it
inside `onednn_off()`, and the switch is off only while no pass that needs it runs. Passes
that need oneDNN run side by side; `onednn_off()` waits for them to finish, and new ones
wait while it waits or runs, so a server's questions wait at most one embedding batch of a
refresh and a refresh is never starved by a stream of questions.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch


class _SharedOrExclusive:
    """A lock held by many at once (shared) or by one alone (exclusive); an exclusive
    request that waits goes before shared requests that come after it."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._shared = 0
        self._exclusive = False
        self._exclusive_waiting = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._condition:
            self._condition.wait_for(lambda: not self._exclusive and not self._exclusive_waiting)
            self._shared += 1
        try:
            yield
        finally:
            with self._condition:
                self._shared -= 1
                self._condition.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._condition:
            self._exclusive_waiting += 1
            try:
                self._condition.wait_for(lambda: not self._exclusive and not self._shared)
            finally:
                self._exclusive_waiting -= 1
            self._exclusive = True
        try:
            yield
        finally:
            with self._condition:
                self._exclusive = False
                self._condition.notify_all()


_SWITCH = _SharedOrExclusive()


@contextmanager
def onednn_needed() -> Iterator[None]:
    """Run a forward pass that needs oneDNN (bfloat16 products): the switch stays as it is
    (on, unless the process turned it off for good) until the pass ends."""
    with _SWITCH.shared():
        yield


@contextmanager
def onednn_off() -> Iterator[None]:
    """Run torch's products off oneDNN, then turn the switch back as it was. Only that
    switch, the one `torch.backends.mkldnn.enabled` reads: `torch.backends.mkldnn.flags()`
    would reset oneDNN's other settings too (and warn about TF32 on a CPU)."""
    with _SWITCH.exclusive():
        was = torch._C._get_mkldnn_enabled()
        torch._C._set_mkldnn_enabled(False)
        try:
            yield
        finally:
            torch._C._set_mkldnn_enabled(was)
