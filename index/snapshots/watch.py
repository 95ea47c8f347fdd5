"""Follows the index in service: a server on a shared index (Milvus) picks up versions
published by other processes (another replica's refresh, `citeqa index`) without restarting."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from index.snapshots.backend_protocols import IndexBackend
from index.snapshots.snapshot import Snapshot

log = logging.getLogger(__name__)


class SnapshotWatcher:
    """Polls the backend's current snapshot id; loads and publishes a new one."""

    def __init__(
        self,
        backend: IndexBackend,
        served_id: Callable[[], str],
        publish: Callable[[Snapshot], None],
        interval: float = 2.0,
    ) -> None:
        self.backend = backend
        self._served_id = served_id
        self._publish = publish
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="citeqa-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def check(self) -> bool:
        """Switch to the published snapshot if it is not the one served; True if switched."""
        published = self.backend.current_id()
        if published is None or published == self._served_id():
            return False
        snapshot = self.backend.load_current()
        if snapshot.snapshot_id <= self._served_id():  # ids sort by creation time
            return False
        self._publish(snapshot)
        log.info("switched to snapshot %s", snapshot.snapshot_id)
        return True

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception:  # the next poll tries again; the old snapshot keeps serving
                log.exception("could not follow the index in service")
