"""What a build has done so far and how long the rest should take, shared by the progress
bar of `citeqa index`, `GET /v1/index` and the log.

Progress is counted in documents, a large document counting the fraction of its chunks
embedded so far, so that one long upload moves the bar (and the estimate) as it goes
instead of jumping from 0 to 1 at the end. The estimate is the time per document so far
times the documents left; it is None until there is a document's worth of measurement or
when the total is unknown (a stream of documents).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

LOG_EVERY_S = 30.0


@dataclass(frozen=True, slots=True)
class ProgressView:
    """A consistent copy of a build's progress."""

    documents_done: float
    documents_total: int | None
    chunks_embedded: int
    current_document: str | None
    current_chunks_done: int
    current_chunks_total: int
    elapsed_s: float
    eta_s: float | None


class BuildProgress:
    """Updated by the builder's thread, read by any other."""

    def __init__(self, total: int | None, log_every_s: float = LOG_EVERY_S) -> None:
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._total = total
        self._documents = 0
        self._fraction = 0.0  # of the document being embedded
        self._chunks = 0
        self._current: str | None = None
        self._current_done = 0
        self._current_total = 0
        self._log_every = log_every_s
        self._logged = self._started
        self._listeners: list[Callable[[ProgressView], None]] = []

    def listen(self, listener: Callable[[ProgressView], None]) -> None:
        """Call `listener` with the new view after every change (on the builder's thread)."""
        self._listeners.append(listener)

    def documents_done(self, count: int) -> None:
        with self._lock:
            self._documents += count
            self._fraction = 0.0
            self._current, self._current_done, self._current_total = None, 0, 0
        self._changed()

    def chunks_embedded(self, added: int, current: tuple[str, int, int] | None) -> None:
        """`added` chunks embedded; `current`, for a document embedded in several parts, is
        (doc_id, its chunks done, its chunks in all)."""
        with self._lock:
            self._chunks += added
            if current is None:
                self._current, self._current_done, self._current_total = None, 0, 0
                self._fraction = 0.0
            else:
                self._current, self._current_done, self._current_total = current
                self._fraction = current[1] / current[2] if current[2] else 0.0
        self._changed()

    def view(self) -> ProgressView:
        with self._lock:
            done = self._documents + self._fraction
            elapsed = time.monotonic() - self._started
            eta = None
            if self._total is not None and done > 0:
                eta = max(0.0, elapsed / done * (self._total - done))
            return ProgressView(
                documents_done=round(done, 3),
                documents_total=self._total,
                chunks_embedded=self._chunks,
                current_document=self._current,
                current_chunks_done=self._current_done,
                current_chunks_total=self._current_total,
                elapsed_s=round(elapsed, 1),
                eta_s=None if eta is None else round(eta, 1),
            )

    def _changed(self) -> None:
        if self._listeners:
            view = self.view()
            for listener in self._listeners:
                listener(view)
        self._maybe_log()

    def _maybe_log(self) -> None:
        now = time.monotonic()
        if now - self._logged < self._log_every:
            return
        self._logged = now
        log.info("indexing: %s", describe(self.view()))


def describe(view: ProgressView) -> str:
    """One line: documents, chunks, the document being embedded, the estimate."""
    total = "?" if view.documents_total is None else str(view.documents_total)
    line = f"{view.documents_done:g}/{total} documents, {view.chunks_embedded} chunks embedded"
    if view.current_document is not None:
        line += (
            f", {view.current_document}: {view.current_chunks_done}/"
            f"{view.current_chunks_total} chunks"
        )
    if view.eta_s is not None:
        line += f", about {format_seconds(view.eta_s)} left"
    return line


def format_seconds(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
