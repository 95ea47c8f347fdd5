"""Hybrid retrieval: dense and BM25 candidate lists fused by reciprocal rank fusion.

English questions (the corpus language) search the chunk vectors in FAISS. Questions in
another language search the multilingual sentence vectors instead (a chunk scores as its
best sentence), since the English model does not map them near their translations.
"""

from __future__ import annotations

import numpy as np

from index.embedders.base import Vectors
from index.snapshot import MULTILINGUAL_SENTENCE_VECTORS, Snapshot
from index.stores.base import RowIds
from qa.retrieval.candidates import Candidate
from qa.retrieval.fusion import reciprocal_rank_fusion
from qa.settings import QASettings


class HybridRetriever:
    """Dense + keyword candidates, fused; filters restrict both before ranking."""

    def __init__(self, settings: QASettings) -> None:
        self.settings = settings

    def retrieve(
        self,
        snapshot: Snapshot,
        query: str,
        vector: Vectors,
        *,
        cross_lingual: bool = False,
        allowed: RowIds | None = None,
        depth: int | None = None,
    ) -> list[Candidate]:
        depth = depth or self.settings.candidates
        if cross_lingual:
            dense = self._dense_by_sentences(snapshot, vector, depth, allowed)
        else:
            _, ids = snapshot.dense.search(vector.reshape(1, -1), depth, allowed)
            dense = [int(i) for i in ids[0] if i >= 0]
        _, keyword_ids = snapshot.keyword.search(query, depth, allowed)
        keyword = [int(i) for i in keyword_ids if i >= 0]
        fused = reciprocal_rank_fusion(
            [dense, keyword],
            k=self.settings.rrf_k,
            weights=[self.settings.dense_weight, self.settings.keyword_weight],
        )
        return [Candidate(row, score) for row, score in fused]

    @staticmethod
    def _dense_by_sentences(
        snapshot: Snapshot, vector: Vectors, depth: int, allowed: RowIds | None
    ) -> list[int]:
        """Chunks ranked by their best sentence under the multilingual embedder."""
        sentence_vectors = snapshot.vectors.get(MULTILINGUAL_SENTENCE_VECTORS)
        if sentence_vectors is None or not len(snapshot):
            return []
        sentence_scores = sentence_vectors @ vector.reshape(-1)
        sentence_rows, chunk_rows = snapshot.sentence_chunks
        chunk_scores = np.full(len(snapshot), -np.inf, dtype=np.float32)
        np.maximum.at(chunk_scores, chunk_rows, sentence_scores[sentence_rows])
        if allowed is not None:
            mask = np.full(len(snapshot), -np.inf, dtype=np.float32)
            mask[allowed] = 0.0
            chunk_scores = chunk_scores + mask
        order = np.argsort(-chunk_scores, kind="stable")[:depth]
        return [int(row) for row in order if np.isfinite(chunk_scores[row])]
