"""Hybrid retrieval: dense and BM25 candidate lists fused by reciprocal rank fusion.

Up to four ranked lists of chunks are fused:
- `chunks`: chunk vectors of the main (English) embedder, searched in the vector store;
- `sentences`: the same embedder's sentence vectors, a chunk scoring as its best sentence;
- `multilingual`: multilingual-e5 sentence vectors, a chunk scoring as its best sentence;
- `keyword`: BM25 over chunk texts.
A question in the corpus language uses all four; a question in another language uses the
multilingual and keyword lists only (the English embedder does not place a Russian question
near its English answer). Filters restrict every list before ranking.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.embedders.base import Vectors
from index.snapshot import MULTILINGUAL_SENTENCE_VECTORS, SENTENCE_VECTORS, Snapshot
from index.stores.base import RowIds
from qa.retrieval.candidates import Candidate
from qa.retrieval.fusion import reciprocal_rank_fusion
from qa.settings import QASettings


@dataclass(frozen=True, slots=True)
class QueryVectors:
    """The question embedded by the main embedder and, if available, the multilingual one."""

    main: Vectors | None
    multilingual: Vectors | None


class HybridRetriever:
    """Dense + keyword candidates, fused; filters restrict all lists before ranking."""

    def __init__(self, settings: QASettings) -> None:
        self.settings = settings

    def retrieve(
        self,
        snapshot: Snapshot,
        query: str,
        vectors: QueryVectors,
        *,
        allowed: RowIds | None = None,
        depth: int | None = None,
    ) -> list[Candidate]:
        depth = depth or self.settings.candidates
        rankings: list[list[int]] = []
        weights: list[float] = []
        if vectors.main is not None and self.settings.dense_weight > 0:
            _, ids = snapshot.dense.search(vectors.main.reshape(1, -1), depth, allowed)
            rankings.append([int(i) for i in ids[0] if i >= 0])
            weights.append(self.settings.dense_weight)
            rankings.append(
                best_sentence_ranking(snapshot, SENTENCE_VECTORS, vectors.main, depth, allowed)
            )
            weights.append(self.settings.dense_weight)
        if vectors.multilingual is not None and self.settings.multilingual_weight > 0:
            rankings.append(
                best_sentence_ranking(
                    snapshot, MULTILINGUAL_SENTENCE_VECTORS, vectors.multilingual, depth, allowed
                )
            )
            weights.append(self.settings.multilingual_weight)
        if self.settings.keyword_weight > 0:
            _, keyword_ids = snapshot.keyword.search(query, depth, allowed)
            rankings.append([int(i) for i in keyword_ids if i >= 0])
            weights.append(self.settings.keyword_weight)
        fused = reciprocal_rank_fusion(rankings, k=self.settings.rrf_k, weights=weights)
        return [Candidate(row, score) for row, score in fused]


def best_sentence_ranking(
    snapshot: Snapshot, name: str, vector: Vectors, depth: int, allowed: RowIds | None
) -> list[int]:
    """Chunks ranked by their best sentence under the sentence vectors `name`."""
    if snapshot.sentence_search is not None:  # the vectors live in an engine (Milvus)
        return snapshot.sentence_search.best_chunks(name, vector, depth, allowed)
    sentence_vectors = snapshot.vectors.get(name)
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
    top = min(depth, len(chunk_scores))
    order = np.argpartition(-chunk_scores, top - 1)[:top]
    order = order[np.argsort(-chunk_scores[order], kind="stable")]
    return [int(row) for row in order if np.isfinite(chunk_scores[row])]
