"""Exact inner-product search with FAISS; filters become an ID selector inside the search."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from index.embedders.base import Vectors
from index.stores.base import RowIds, Scores, empty_result


class FaissStore:
    """A flat (exact) FAISS index. Exact search keeps results identical to brute force."""

    def __init__(self, dim: int, index: faiss.Index | None = None) -> None:
        self._dim = dim
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    @property
    def dim(self) -> int:
        return self._dim

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: RowIds, vectors: Vectors) -> None:
        if len(ids):
            self._index.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32),
                np.ascontiguousarray(ids, dtype=np.int64),
            )

    def search(
        self, query: Vectors, k: int, allowed: RowIds | None = None
    ) -> tuple[Scores, RowIds]:
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(-1, self._dim)
        if len(self) == 0 or (allowed is not None and len(allowed) == 0):
            return empty_result(len(query), k)
        params = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
            params = faiss.SearchParameters()
            params.sel = selector
        scores, ids = self._index.search(query, k, params=params)
        return scores.astype(np.float32), ids.astype(np.int64)

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> FaissStore:
        index = faiss.read_index(str(path))
        return cls(int(index.d), index)
