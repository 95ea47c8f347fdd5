"""One background worker that rebuilds the index when asked, never two builds at once.

Requests made while a build runs are coalesced into one more build after it. A build
reads the current documents, builds incrementally and publishes a new snapshot; only
then does `publish` hand it to the server, which answers from the old snapshot meanwhile.
When the documents, embedders and chunker equal those of the snapshot in service,
nothing is built.

A long document never holds the others up. A request made while a build has been embedding
for STOP_AFTER_S seconds stops it at its next part (a few seconds; what it embedded is kept
in the part store), and the next build first publishes everything that needs little or no
embedding (deletions, changes of source or metadata, documents up to QUICK_CHARS
characters in all) with the rest left as it is in service, then resumes the rest. Deleting
a document that is being embedded cancels its embedding the same way.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from index.building.builder import BuildReport, IndexBuilder
from index.building.encode import BuildInterruptedError
from index.building.progress import BuildProgress, ProgressView
from index.clock import utc_now
from index.snapshots.manifest import EmbeddingInfo
from index.snapshots.snapshot import Snapshot
from index.types import Document

log = logging.getLogger(__name__)

RefreshState = Literal["idle", "queued", "running"]
Collect = Callable[[], tuple[Sequence[Document], list[tuple[str, str]]]]

# When more than this many characters (about 50 chunks, seconds of embedding) are to be
# embedded and other changes are pending, the others are published first.
QUICK_CHARS = 20_000
# A build that has run this long stops at its next part when another request comes in.
STOP_AFTER_S = 5.0


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
    progress: ProgressView | None = None
    interrupted: int = 0


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
        self._stop_build = threading.Event()
        self._progress: BuildProgress | None = None
        self._interrupted = 0

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
            if self._running:
                self._stop_build.set()  # the build in progress stops at its next part
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
                progress=self._progress.view() if self._progress is not None else None,
                interrupted=self._interrupted,
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
            return RefreshOutcome(report, published=False, skipped=skipped, finished_at=utc_now())
        quick = quick_documents(current, documents)
        if quick is not None:
            snapshot, first = self.builder.build(quick, keep_parts=True)
            self._publish(snapshot)
            log.info(
                "refreshed without the long documents: snapshot %s, %d removed; "
                "now embedding %d long documents",
                first.snapshot_id,
                len(first.removed),
                sum(1 for d in documents if d not in quick),
            )
        progress = BuildProgress(len(documents))
        with self._cond:
            self._progress = progress
        try:
            started_build = time.monotonic()

            def should_stop() -> bool:
                return (
                    self._stop_build.is_set() and time.monotonic() - started_build >= STOP_AFTER_S
                )

            snapshot, report = self.builder.build(
                documents, should_stop=should_stop, progress=progress
            )
        finally:
            with self._cond:
                self._progress = None
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
        return RefreshOutcome(report, published=True, skipped=skipped, finished_at=utc_now())

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._stopping or self._requested > self._completed)
                if self._stopping:
                    return
                target = self._requested
                self._running = True
                self._stop_build.clear()
            outcome, error = None, None
            try:
                outcome = self.refresh()
            except BuildInterruptedError:
                # Another request came in: the next round starts at once and resumes.
                log.info("refresh stopped for a newer request; resuming after it")
                with self._cond:
                    self._running = False
                    self._interrupted += 1
                continue
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


def quick_documents(current: Snapshot, documents: Sequence[Document]) -> list[Document] | None:
    """What to publish first when much is to be embedded and something else changed too:
    every document as wanted, except those to embed beyond QUICK_CHARS characters in all
    (the shortest are taken first), which stay as they are in service (or out, if new).
    None when nothing would be left for later or nothing else changed."""
    served = {doc.doc_id: doc for doc in current.documents}
    wanted = {doc.doc_id for doc in documents}
    to_embed = sorted(
        (
            d
            for d in documents
            if (old := served.get(d.doc_id)) is None or old.content_hash != d.content_hash
        ),
        key=lambda d: (len(d.text), d.doc_id),
    )
    budget, deferred = QUICK_CHARS, set()
    for doc in to_embed:
        if len(doc.text) <= budget:
            budget -= len(doc.text)
        else:
            deferred.add(doc.doc_id)
    changed = (
        len(to_embed) > len(deferred)
        or any(doc_id not in wanted for doc_id in served)
        or any(served.get(d.doc_id) not in (None, d) for d in documents if d.doc_id not in deferred)
    )
    if not deferred or not changed:
        return None
    quick = []
    for doc in documents:
        if doc.doc_id not in deferred:
            quick.append(doc)
        elif doc.doc_id in served:
            quick.append(served[doc.doc_id])
    return quick
