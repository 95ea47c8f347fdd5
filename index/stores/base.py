"""The vector store interface: row ids and vectors in, nearest rows out."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from index.embedders.base import Vectors

RowIds = npt.NDArray[np.int64]
Scores = npt.NDArray[np.float32]


class VectorStore(Protocol):
    """Inner-product search over normalised vectors keyed by integer row ids."""

    @property
    def dim(self) -> int: ...

    def __len__(self) -> int: ...

    def add(self, ids: RowIds, vectors: Vectors) -> None: ...

    def search(
        self, query: Vectors, k: int, allowed: RowIds | None = None
    ) -> tuple[Scores, RowIds]:
        """Top-k rows for each query row; `allowed` (the rows a filter allows, see
        index.stores.filters) restricts the search before ranking.

        Missing results (fewer than k rows) have id -1.
        """
        ...

    def save(self, path: Path) -> None: ...


class SentenceSearch(Protocol):
    """Chunks ranked under named vectors, computed by the engine holding them (a snapshot
    without it keeps the vectors in memory and ranks them itself)."""

    def best_chunks(
        self, name: str, query: Vectors, depth: int, allowed: RowIds | None = None
    ) -> list[int]:
        """Up to `depth` chunk rows, best first, scored by their own vector under chunk
        vectors `name`, or as their best sentence under sentence vectors `name`; `allowed`
        restricts the chunks before ranking."""
        ...


def empty_result(n_queries: int, k: int) -> tuple[Scores, RowIds]:
    return (
        np.full((n_queries, k), -np.inf, dtype=np.float32),
        np.full((n_queries, k), -1, dtype=np.int64),
    )
