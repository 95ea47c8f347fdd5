"""Hybrid retrieval: dense and BM25 candidate lists fused by reciprocal rank fusion.

Up to five ranked lists of chunks are fused:
- `chunks`: chunk vectors of the main (English) embedder, searched in the vector store;
- `sentences`: the same embedder's sentence vectors, a chunk scoring as its best sentence;
- `chunks_multilingual`: multilingual-e5 chunk vectors;
- `sentences_multilingual`: multilingual-e5 sentence vectors, a chunk scoring as its best
  sentence;
- `keyword`: BM25 over chunk texts.
Each list adds w / (k + rank) to a chunk's score, w being its group's weight (QASettings:
`dense_weight`, `multilingual_weight`, `keyword_weight`; fitted with k by
bench/tuning/fit_fusion.py). A question in the corpus language uses all five, or only the main
embedder's and BM25's when those agree on the first chunk (`agree`; the pipeline then does
not embed it with multilingual-e5); a question in another language uses the multilingual
and keyword lists only (the English embedder does not place a Russian question near its
English answer). Filters restrict every list before ranking. A snapshot without some
vectors (multilingual-e5 turned off) leaves their list out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from index.building.encode import CHUNK_ROW_VECTORS
from index.embedders.base import Embedder, Vectors
from index.snapshots.snapshot import (
    MULTILINGUAL_CHUNK_VECTORS,
    MULTILINGUAL_SENTENCE_VECTORS,
    SENTENCE_VECTORS,
    Snapshot,
)
from index.stores.base import RowIds
from qa.retrieval.candidates import Candidate
from qa.retrieval.fusion import reciprocal_rank_fusion
from qa.settings import QASettings
from qa.timing import timed

# The groups of candidate lists; each group has one fusion weight in QASettings.
DENSE, MULTILINGUAL, KEYWORD = "dense", "multilingual", "keyword"


@dataclass(frozen=True, slots=True)
class QueryVectors:
    """The question embedded by the main embedder and, if available, the multilingual one."""

    main: Vectors | None
    multilingual: Vectors | None


@dataclass(frozen=True, slots=True)
class Retrieval:
    """The fused candidates of a query and the vectors it was embedded as."""

    vectors: QueryVectors
    candidates: list[Candidate]


class HybridRetriever:
    """Dense + keyword candidates, fused; filters restrict all lists before ranking."""

    def __init__(self, settings: QASettings) -> None:
        self.settings = settings

    def retrieve(
        self,
        snapshot: Snapshot,
        query: str,
        embedder: Embedder,
        multilingual: Embedder | None,
        *,
        cross_lingual: bool,
        allowed: RowIds | None,
        depth: int,
        timings: dict[str, float],
    ) -> Retrieval:
        """`query` embedded, ranked by every list and fused, timed as "embed" and
        "retrieve". A question across languages is embedded by the multilingual embedder
        only; one in the corpus language by the main one, and by the multilingual one too
        unless the main embedder and BM25 put the same chunk first: on 1,000 held-out SQuAD
        questions 57% skipped it, hit@5 and answer_contains were 0.971 / 0.847 against
        0.970 / 0.843 always embedding, p50 27.7 against 33.7 ms."""
        with timed(timings, "embed"):
            main = None if cross_lingual else embedder.embed_queries([query])[0]
        with timed(timings, "retrieve"):
            dense = self.dense_rankings(snapshot, main, allowed, depth)
            keyword = self.keyword_rankings(snapshot, query, allowed, depth)
        wanted = cross_lingual or (
            self.settings.multilingual_weight > 0 and not agree(dense, keyword)
        )
        vectors = QueryVectors(main, None)
        if multilingual is not None and wanted:
            with timed(timings, "embed"):
                vectors = QueryVectors(main, multilingual.embed_queries([query])[0])
        with timed(timings, "retrieve"):
            extra = self.multilingual_rankings(snapshot, vectors.multilingual, allowed, depth)
            candidates = self.fuse(in_fusion_order(dense, extra, keyword))
        return Retrieval(vectors, candidates)

    def fuse(self, named: Sequence[tuple[str, list[int]]]) -> list[Candidate]:
        """`named` lists fused with the settings' constant and weights."""
        weights = {
            DENSE: self.settings.dense_weight,
            MULTILINGUAL: self.settings.multilingual_weight,
            KEYWORD: self.settings.keyword_weight,
        }
        return fuse(named, self.settings.rrf_k, weights)

    def rankings(
        self,
        snapshot: Snapshot,
        query: str,
        vectors: QueryVectors,
        *,
        allowed: RowIds | None = None,
        depth: int | None = None,
    ) -> list[tuple[str, list[int]]]:
        """The candidate lists before fusion, each with the group whose weight it takes
        (DENSE, MULTILINGUAL or KEYWORD); a group weighted 0 is not searched. `allowed`
        (the rows a filter allows, index.stores.filters) restricts every list; `depth`, the
        retrieval depth, is how many chunks each list holds at most (QASettings.candidates
        unless given)."""
        depth = depth or self.settings.candidates
        return in_fusion_order(
            self.dense_rankings(snapshot, vectors.main, allowed, depth),
            self.multilingual_rankings(snapshot, vectors.multilingual, allowed, depth),
            self.keyword_rankings(snapshot, query, allowed, depth),
        )

    def dense_rankings(
        self, snapshot: Snapshot, vector: Vectors | None, allowed: RowIds | None, depth: int
    ) -> list[tuple[str, list[int]]]:
        """The main embedder's lists: chunk vectors, then chunks by their best sentence."""
        if vector is None or self.settings.dense_weight <= 0:
            return []
        _, ids = snapshot.dense.search(vector.reshape(1, -1), depth, allowed)
        return [
            (DENSE, [int(i) for i in ids[0] if i >= 0]),
            (DENSE, vector_ranking(snapshot, SENTENCE_VECTORS, vector, depth, allowed)),
        ]

    def multilingual_rankings(
        self, snapshot: Snapshot, vector: Vectors | None, allowed: RowIds | None, depth: int
    ) -> list[tuple[str, list[int]]]:
        """The multilingual embedder's lists (chunk vectors, best sentence) the index has."""
        if vector is None or self.settings.multilingual_weight <= 0:
            return []
        return [
            (MULTILINGUAL, vector_ranking(snapshot, name, vector, depth, allowed))
            for name in (MULTILINGUAL_CHUNK_VECTORS, MULTILINGUAL_SENTENCE_VECTORS)
            if name in snapshot.vectors
        ]

    def keyword_rankings(
        self, snapshot: Snapshot, query: str, allowed: RowIds | None, depth: int
    ) -> list[tuple[str, list[int]]]:
        """BM25's list over the chunk texts (titles included)."""
        if self.settings.keyword_weight <= 0:
            return []
        _, keyword_ids = snapshot.keyword.search(query, depth, allowed)
        return [(KEYWORD, [int(i) for i in keyword_ids if i >= 0])]


def in_fusion_order(
    dense: list[tuple[str, list[int]]],
    multilingual: list[tuple[str, list[int]]],
    keyword: list[tuple[str, list[int]]],
) -> list[tuple[str, list[int]]]:
    """The groups' lists in the order fusion reads them: ties between chunks follow it, and
    bench/tuning/fit_fusion.py fitted the weights on it."""
    return dense + multilingual + keyword


def agree(dense: Sequence[tuple[str, list[int]]], keyword: Sequence[tuple[str, list[int]]]) -> bool:
    """True when the main embedder's chunk list and BM25 put the same chunk first: then the
    multilingual lists are not needed for an English question (see QAPipeline)."""
    return bool(dense and keyword and dense[0][1][:1] == keyword[0][1][:1] != [])


def fuse(
    named: Sequence[tuple[str, list[int]]], rrf_k: int, weights: Mapping[str, float]
) -> list[Candidate]:
    """Reciprocal rank fusion of `rankings`' lists, each weighted by its group's weight."""
    fused = reciprocal_rank_fusion(
        [ranking for _, ranking in named],
        k=rrf_k,
        weights=[weights[group] for group, _ in named],
    )
    return [Candidate(row, score) for row, score in fused]


def vector_ranking(
    snapshot: Snapshot, name: str, vector: Vectors, depth: int, allowed: RowIds | None
) -> list[int]:
    """Chunks ranked under the vectors `name`: by their own vector for chunk vectors, by
    their best sentence for sentence vectors."""
    if snapshot.sentence_search is not None:  # the vectors live in an engine (Milvus)
        return snapshot.sentence_search.best_chunks(name, vector, depth, allowed)
    named = snapshot.vectors.get(name)
    if named is None or not len(snapshot):
        return []
    scores = named @ vector.reshape(-1)
    if name in CHUNK_ROW_VECTORS:
        chunk_scores = np.asarray(scores, dtype=np.float32)
    else:
        sentence_rows, chunk_rows = snapshot.sentence_chunks
        chunk_scores = np.full(len(snapshot), -np.inf, dtype=np.float32)
        np.maximum.at(chunk_scores, chunk_rows, scores[sentence_rows])
    if allowed is not None:
        mask = np.full(len(snapshot), -np.inf, dtype=np.float32)
        mask[allowed] = 0.0
        chunk_scores = chunk_scores + mask
    top = min(depth, len(chunk_scores))
    order = np.argpartition(-chunk_scores, top - 1)[:top]
    order = order[np.argsort(-chunk_scores[order], kind="stable")]
    return [int(row) for row in order if np.isfinite(chunk_scores[row])]
