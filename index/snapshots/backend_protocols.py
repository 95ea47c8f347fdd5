"""What a storage backend provides: `BuildSink`, where a build writes (the interface between
the builder and the backend), and `IndexBackend`, which opens sinks and snapshots.

The builder streams documents in windows; for each window the sink says which documents
it cannot carry over (those are chunked and embedded), then takes the window in order.
A sink carries a document over when the snapshot it builds on holds the same text with the
same models and chunker, or when an interrupted run of the same build already wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from index.building.encode import Encoded, EncoderConfig
from index.snapshots.snapshot import Snapshot
from index.types import Document


class BuildSink(Protocol):
    """One build in progress."""

    @property
    def previous(self) -> Mapping[str, str]:
        """doc_id -> content hash of the snapshot in service (empty when there is none)."""
        ...

    @property
    def full_rebuild_reason(self) -> str | None:
        """Why nothing of the snapshot in service can be reused, if so."""
        ...

    def resumed_windows(self) -> list[int]:
        """Sizes (in documents) of the windows an interrupted run wrote, to be replayed
        first with the same sizes; empty when nothing is resumed this way."""
        ...

    def plan(self, window: Sequence[Document]) -> list[Document]:
        """The documents of `window` that must be chunked and embedded."""
        ...

    def write(self, window: Sequence[Document], encoded: Mapping[str, Encoded]) -> None:
        """Take `window` in order; `encoded` holds the planned documents by doc_id."""
        ...

    def finish(self, removed: Sequence[str]) -> tuple[str, int]:
        """Complete and publish the snapshot; returns its id and number of chunks."""
        ...


class IndexBackend(Protocol):
    """Published snapshots of one index and the builds that make them."""

    def build_lock(self) -> AbstractContextManager[None]: ...

    def current_id(self) -> str | None: ...

    def load_current(self) -> Snapshot: ...

    def begin(self, config: EncoderConfig, keep: int) -> BuildSink: ...
