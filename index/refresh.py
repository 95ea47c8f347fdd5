"""One background worker that rebuilds the index when asked, never two builds at once.

Requests made while a build runs are coalesced into one more build after it. A build
reads the current documents, builds incrementally and publishes a new snapshot; only
then does `publish` hand it to the server, which answers from the old snapshot meanwhile.
When the documents, embedders and chunker equal those of the snapshot in service,
nothing is built.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from index.builder import BuildReport, IndexBuilder
from index.manifest import EmbeddingInfo
from index.snapshot import Snapshot
from index.types import Document

log = logging.getLogger(__name__)

RefreshState = Literal["idle", "queued", "running"]
Collect = Callable[[], tuple[Sequence[Document], list[tuple[str, str]]]]


@dataclass(frozen=True)
class RefreshOutcome:
    """What one refresh did; `published` is False when the index was already current."""

    report: BuildReport
    published: bool
    skipped: list[tuple[str, str]]
    finished_at: str


@dataclass(frozen=True)
class RefreshStatus:
    state: RefreshState
    requested: int
    completed: int
    succeeded: int
    failed: int
    last: RefreshOutcome | None
    last_error: str | None


class Refresher:
    """Queues, coalesces and runs refreshes on one worker thread."""

    def __init__(
        self,
        builder: IndexBuilder,
        collect: Collect,
        current: Callable[[], Snapshot],
        publish: Callable[[Snapshot], None],
    ) -> None:
        self.builder = builder
        self._collect = collect
        self._current = current
        self._publish = publish
        self._cond = threading.Condition()
        self._requested = 0
        self._completed = 0
        self._succeeded = 0
        self._failed = 0
        self._running = False
        self._stopping = False
        self._last: RefreshOutcome | None = None
        self._last_error: str | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="citeqa-refresh", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the build in progress (up to `timeout` seconds) and stop."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def request(self) -> int:
        """Ask for a refresh; returns a ticket that `wait` and `status().completed` reach."""
        with self._cond:
            self._requested += 1
            self._cond.notify_all()
            return self._requested

    def wait(self, ticket: int, timeout: float | None = None) -> bool:
        """True once a refresh that started after `ticket` was requested has finished."""
        with self._cond:
            return self._cond.wait_for(lambda: self._completed >= ticket, timeout)

    def status(self) -> RefreshStatus:
        with self._cond:
            state: RefreshState = (
                "running"
                if self._running
                else "queued"
                if self._requested > self._completed
                else "idle"
            )
            return RefreshStatus(
                state=state,
                requested=self._requested,
                completed=self._completed,
                succeeded=self._succeeded,
                failed=self._failed,
                last=self._last,
                last_error=self._last_error,
            )

    def refresh(self) -> RefreshOutcome:
        """Build and publish now, on the calling thread (the worker calls this)."""
        started = time.perf_counter()
        documents, skipped = self._collect()
        current = self._current()
        if is_current(current, documents, self.builder):
            report = BuildReport(
                snapshot_id=current.snapshot_id,
                unchanged=len(documents),
                chunks=len(current),
                seconds=time.perf_counter() - started,
            )
            return RefreshOutcome(report, published=False, skipped=skipped, finished_at=_now())
        snapshot, report = self.builder.build(documents)
        self._publish(snapshot)
        report.seconds = time.perf_counter() - started
        log.info(
            "refreshed: snapshot %s, %d added, %d updated, %d removed, %d chunks embedded",
            report.snapshot_id,
            len(report.added),
            len(report.updated),
            len(report.removed),
            report.embedded_chunks,
        )
        return RefreshOutcome(report, published=True, skipped=skipped, finished_at=_now())

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._stopping or self._requested > self._completed)
                if self._stopping:
                    return
                target = self._requested
                self._running = True
            outcome, error = None, None
            try:
                outcome = self.refresh()
            except Exception as exc:  # reported in status(); the next request tries again
                log.exception("index refresh failed")
                error = f"{type(exc).__name__}: {exc}"
            with self._cond:
                self._running = False
                self._completed = target
                if outcome is not None:
                    self._succeeded += 1
                    self._last, self._last_error = outcome, None
                else:
                    self._failed += 1
                    self._last_error = error
                self._cond.notify_all()


def is_current(snapshot: Snapshot, documents: Sequence[Document], builder: IndexBuilder) -> bool:
    """True when building `documents` with `builder` would reproduce `snapshot`."""
    manifest = snapshot.manifest
    main = EmbeddingInfo(model_id=builder.embedder.model_id, dim=builder.embedder.dim)
    extra = (
        EmbeddingInfo(model_id=builder.multilingual.model_id, dim=builder.multilingual.dim)
        if builder.multilingual is not None
        else None
    )
    return (
        manifest.same_embedding(main, extra)
        and manifest.chunker == builder.chunker.settings.as_manifest()
        and sorted(documents, key=lambda d: d.doc_id) == snapshot.documents
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()
