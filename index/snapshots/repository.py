"""Snapshots on disk: written aside, published by one atomic rename, loaded with fallback.

Layout of an index directory::

    CURRENT                 the id of the snapshot in service (replaced atomically)
    snapshots/<id>/         complete snapshots, newest last
    snapshots/.tmp-<id>/    a build in progress (ignored; removed by the next build)
    build.lock              held by the one build running
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from uuid import uuid4

from index.fsync import fsync_dir
from index.snapshots.snapshot import Snapshot, SnapshotError, verify_snapshot

log = logging.getLogger(__name__)
T = TypeVar("T")

POINTER = "CURRENT"


class SnapshotRepository:
    """The snapshots of one index directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.snapshots = root / "snapshots"

    def current_id(self) -> str | None:
        try:
            value = (self.root / POINTER).read_text("utf-8").strip()
        except FileNotFoundError:
            return None
        return value or None

    def snapshot_ids(self) -> list[str]:
        """Complete snapshots, oldest first (ids sort by creation time)."""
        if not self.snapshots.is_dir():
            return []
        return sorted(
            p.name for p in self.snapshots.iterdir() if p.is_dir() and not p.name.startswith(".")
        )

    def load_current(self, verify: bool = True) -> Snapshot:
        """The snapshot in service; if it is damaged, the newest older one that loads."""
        return self._first_usable(lambda path: Snapshot.load(path, verify=verify))

    def current_dir(self) -> Path:
        """The folder of the snapshot in service, or of the newest older one whose files all
        match their checksums when it is damaged (without loading either)."""
        return self._first_usable(lambda path: (verify_snapshot(path), path)[1])

    def _first_usable(self, open_snapshot: Callable[[Path], T]) -> T:
        current = self.current_id()
        candidates = self.snapshot_ids()
        if current in candidates:
            candidates = candidates[: candidates.index(current) + 1]
        errors: list[str] = []
        for snapshot_id in reversed(candidates):
            try:
                opened = open_snapshot(self.snapshots / snapshot_id)
            except SnapshotError as exc:
                log.error("snapshot %s is unusable: %s", snapshot_id, exc)
                errors.append(str(exc))
                continue
            if snapshot_id != current:
                log.warning("serving snapshot %s instead of %s", snapshot_id, current)
            return opened
        detail = "; ".join(errors) or "no snapshot has been built yet"
        raise SnapshotError(f"no usable snapshot in {self.root}: {detail}")

    def publish(self, snapshot: Snapshot, keep: int = 3) -> Path:
        """Write `snapshot` aside, rename it into place, then switch the pointer to it."""
        self.snapshots.mkdir(parents=True, exist_ok=True)
        snapshot_id = snapshot.manifest.snapshot_id
        staging = self.staging_dir(snapshot_id)
        snapshot.save(staging)
        final = self.publish_dir(staging, snapshot_id, keep)
        snapshot.path = final
        return final

    def staging_dir(self, snapshot_id: str) -> Path:
        """Where the files of snapshot `snapshot_id` are written before `publish_dir`."""
        return self.snapshots / f".tmp-{snapshot_id}"

    def publish_dir(self, staging: Path, snapshot_id: str, keep: int = 3) -> Path:
        """Rename the complete snapshot folder `staging` into place and point to it."""
        _fsync_tree(staging)
        final = self.snapshots / snapshot_id
        os.replace(staging, final)
        fsync_dir(self.snapshots)
        self._write_pointer(snapshot_id)
        self._prune(keep)
        return final

    def _write_pointer(self, snapshot_id: str) -> None:
        tmp = self.root / f".{POINTER}.{uuid4().hex}"
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(snapshot_id + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.root / POINTER)
        fsync_dir(self.root)

    def _prune(self, keep: int) -> None:
        """Remove leftovers of crashed builds and all but the newest `keep` snapshots."""
        current = self.current_id()
        for leftover in self.snapshots.glob(".tmp-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        for old in self.snapshot_ids()[:-keep]:
            if old != current:
                shutil.rmtree(self.snapshots / old, ignore_errors=True)

    @contextlib.contextmanager
    def build_lock(self) -> Iterator[None]:
        """Held for a whole build, so two builds never interleave (released on crash)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / "build.lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def new_snapshot_id() -> str:
    """Sortable by creation time, unique across processes."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid4().hex[:8]


def _fsync_tree(path: Path) -> None:
    for file in path.rglob("*"):
        if file.is_file():
            with file.open("rb") as handle:
                os.fsync(handle.fileno())
    for directory in [path, *(p for p in path.rglob("*") if p.is_dir())]:
        fsync_dir(directory)
