"""Sentence-level evidence scoring: the cross-encoder reads the most promising sentences.

The cross-encoder is the costly step (about 0.3 ms per token on two cores), so it reads
sentences, not whole chunks, and only the most promising ones: sentences of the top
chunks are first ordered by a cheap fusion of three signals (embedding similarity, idf
overlap with the question, rank of their chunk); the first `first_pass` are scored, and
only when none of them is convincing (logit below `confident_logit`) are `second_pass`
more scored. A chunk then ranks by its best scored sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.embedders.base import Vectors
from index.snapshot import (
    MULTILINGUAL_SENTENCE_VECTORS,
    SENT_HI,
    SENT_LO,
    SENTENCE_VECTORS,
    Snapshot,
)
from qa.rerank.cross_encoder import CrossEncoder
from qa.rerank.lexical import overlap_scores
from qa.retrieval.candidates import Candidate
from qa.retrieval.fusion import reciprocal_rank_fusion


@dataclass(slots=True)
class ScoredSentence:
    """A sentence row with its evidence score and the best-ranked chunk that holds it."""

    row: int
    chunk_row: int
    score: float


@dataclass(frozen=True, slots=True)
class SentenceRerankSettings:
    pool_chunks: int = 10
    first_pass: int = 3
    second_pass: int = 5
    confident_logit: float = 4.0


class SentenceReranker:
    """Scores candidate sentences and reorders chunks by their best sentence."""

    def __init__(
        self, cross_encoder: CrossEncoder | None, settings: SentenceRerankSettings
    ) -> None:
        self.cross_encoder = cross_encoder
        self.settings = settings

    def rerank(
        self,
        snapshot: Snapshot,
        question: str,
        vector: Vectors,
        candidates: list[Candidate],
        *,
        cross_lingual: bool = False,
    ) -> tuple[list[Candidate], list[ScoredSentence]]:
        pool = candidates[: self.settings.pool_chunks]
        sentences, owners = _pool_sentences(snapshot, pool)
        if not sentences:
            return candidates, []
        if cross_lingual or self.cross_encoder is None:
            scored = self._by_embedding(snapshot, vector, sentences, owners, cross_lingual)
            return candidates, scored
        order = self._prescore(snapshot, question, vector, sentences, owners)
        scored = self._cross_encode(snapshot, question, [sentences[i] for i in order], owners)
        return _reorder(candidates, scored), scored

    def _prescore(
        self,
        snapshot: Snapshot,
        question: str,
        vector: Vectors,
        sentences: list[int],
        owners: dict[int, int],
    ) -> list[int]:
        dense = snapshot.vectors[SENTENCE_VECTORS][sentences] @ vector.reshape(-1)
        texts = [snapshot.sentence_text(s) for s in sentences]
        lexical = np.asarray(overlap_scores(snapshot.keyword, question, texts))
        rank_of: dict[int, int] = {}
        for s in sentences:
            rank_of.setdefault(owners[s], len(rank_of))
        chunk_rank = np.asarray([rank_of[owners[s]] for s in sentences])
        rankings = [
            list(np.argsort(-dense, kind="stable")),
            list(np.argsort(-lexical, kind="stable")),
            list(np.argsort(chunk_rank, kind="stable")),
        ]
        return [int(i) for i, _ in reciprocal_rank_fusion(rankings, k=10)]

    def _cross_encode(
        self, snapshot: Snapshot, question: str, ordered: list[int], owners: dict[int, int]
    ) -> list[ScoredSentence]:
        assert self.cross_encoder is not None
        first = ordered[: self.settings.first_pass]
        logits = list(self.cross_encoder.score(question, _pair_texts(snapshot, first)))
        if max(logits) < self.settings.confident_logit:
            more = ordered[
                self.settings.first_pass : self.settings.first_pass + self.settings.second_pass
            ]
            logits += list(self.cross_encoder.score(question, _pair_texts(snapshot, more)))
            first = first + more
        return sorted(
            (
                ScoredSentence(row, owners[row], float(score))
                for row, score in zip(first, logits, strict=True)
            ),
            key=lambda s: -s.score,
        )

    @staticmethod
    def _by_embedding(
        snapshot: Snapshot,
        vector: Vectors,
        sentences: list[int],
        owners: dict[int, int],
        cross_lingual: bool,
    ) -> list[ScoredSentence]:
        name = MULTILINGUAL_SENTENCE_VECTORS if cross_lingual else SENTENCE_VECTORS
        scores = snapshot.vectors[name][sentences] @ vector.reshape(-1)
        return sorted(
            (
                ScoredSentence(row, owners[row], float(s))
                for row, s in zip(sentences, scores, strict=True)
            ),
            key=lambda s: -s.score,
        )


def _pool_sentences(snapshot: Snapshot, pool: list[Candidate]) -> tuple[list[int], dict[int, int]]:
    """Distinct sentence rows of the pooled chunks, each mapped to its best-ranked chunk."""
    sentences: list[int] = []
    owners: dict[int, int] = {}
    for candidate in pool:
        lo, hi = snapshot.chunks[candidate.row, [SENT_LO, SENT_HI]]
        for row in range(int(lo), int(hi)):
            if row not in owners:
                owners[row] = candidate.row
                sentences.append(row)
    return sentences, owners


def _pair_texts(snapshot: Snapshot, sentences: list[int]) -> list[str]:
    """What the cross-encoder reads: the document title (context for pronouns), the sentence."""
    texts = []
    for row in sentences:
        title = snapshot.documents[int(snapshot.sentences[row, 0])].title
        texts.append(f"{title}. {snapshot.sentence_text(row)}")
    return texts


def _reorder(candidates: list[Candidate], scored: list[ScoredSentence]) -> list[Candidate]:
    """Chunks with a scored sentence first, by their best sentence; the rest keep their order."""
    best: dict[int, float] = {}
    for sentence in scored:
        best[sentence.chunk_row] = max(best.get(sentence.chunk_row, -np.inf), sentence.score)
    ranked = [Candidate(row, score) for row, score in sorted(best.items(), key=lambda kv: -kv[1])]
    return ranked + [c for c in candidates if c.row not in best]
