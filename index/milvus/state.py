"""The index's small records in Milvus: the version in service, the build in progress,
and the build lease (one build at a time across processes)."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

from index.milvus.client import DUMMY_DIM

log = logging.getLogger(__name__)

CURRENT = "current"
BUILDING = "building"
LEASE = "lease"
LEASE_SECONDS = 60.0
SETTLE_SECONDS = 0.5  # a contender's write lands within this; the later writer holds it
# Milvus Lite applies an upsert as a delete then an insert, so a record being rewritten
# (the lease's renewal, a new version in service) is absent for some milliseconds: a key
# read as absent is read once more after this pause before it counts as absent.
ABSENT_RECHECK_SECONDS = 0.1


class StateTable:
    """JSON records by key in the collection `name`."""

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name

    def get(self, key: str) -> dict[str, Any] | None:
        rows = self.client.query(self.name, ids=[key], output_fields=["value"])
        if not rows:
            time.sleep(ABSENT_RECHECK_SECONDS)
            rows = self.client.query(self.name, ids=[key], output_fields=["value"])
        if not rows:
            return None
        value: dict[str, Any] = json.loads(rows[0]["value"])
        return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        row = {"key": key, "doc_id": "", "value": json.dumps(value), "v": [0.0] * DUMMY_DIM}
        self.client.upsert(self.name, [row])

    def delete(self, key: str) -> None:
        self.client.delete(self.name, ids=[key])

    @contextlib.contextmanager
    def lease(self, poll: float = 1.0) -> Iterator[None]:
        """Hold the build lease while the block runs; renewed in the background, and
        taken over by another process only after LEASE_SECONDS without renewal."""
        owner = uuid.uuid4().hex
        while not self._acquire(owner):
            time.sleep(poll)
        stop = threading.Event()
        renew = threading.Thread(target=self._renew, args=(owner, stop), daemon=True)
        renew.start()
        try:
            yield
        finally:
            stop.set()
            renew.join()
            held = self.get(LEASE)
            if held is not None and held.get("owner") == owner:
                self.delete(LEASE)

    def _acquire(self, owner: str) -> bool:
        held = self.get(LEASE)
        if held is not None and held.get("expires", 0) > time.time():
            return False
        self.put(LEASE, {"owner": owner, "expires": time.time() + LEASE_SECONDS})
        time.sleep(SETTLE_SECONDS)
        held = self.get(LEASE)
        return held is not None and held.get("owner") == owner

    def _renew(self, owner: str, stop: threading.Event) -> None:
        while not stop.wait(LEASE_SECONDS / 4):
            try:
                self.put(LEASE, {"owner": owner, "expires": time.time() + LEASE_SECONDS})
            except Exception:  # a missed renewal is retried; the lease outlasts three
                log.warning("could not renew the build lease", exc_info=True)
