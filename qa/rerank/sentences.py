"""Sentence-level evidence scoring: the cross-encoder reads the most promising sentences.

The cross-encoder is the costly step (about 0.3 ms per token on two cores), so it reads
sentences, not whole chunks, and only the most promising ones: sentences of the top
chunks are first ordered by a cheap fusion of three signals (embedding similarity, idf
overlap with the question, rank of their chunk); the first `first_pass` are scored, and
only when none of them is convincing (logit below `confident_logit`) are `second_pass`
more scored. A chunk then ranks by its best scored sentence.
"""

from __future__ import annotations

import re
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
from index.stores.base import Scores
from qa.rerank.cross_encoder import CrossEncoder
from qa.rerank.lexical import overlap_scores
from qa.rerank.readable import is_readable
from qa.retrieval.candidates import Candidate
from qa.retrieval.fusion import reciprocal_rank_fusion
from qa.retrieval.hybrid import QueryVectors

_ANAPHORIC_START = re.compile(
    r"(?:He|She|It|They|This|These|Those|Its|His|Her|Their|There|Such|That)\b"
)


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
        vectors: QueryVectors,
        candidates: list[Candidate],
        *,
        alone: bool = False,
    ) -> tuple[list[Candidate], list[ScoredSentence]]:
        """Reordered candidates and the scored sentences, best first. `alone`: no other
        question is being answered, so the cross-encoder may keep its threads awake.

        Without the main vector (a cross-lingual question) or without a cross-encoder,
        sentences are scored by embedding similarity and the chunk order is kept.
        """
        pool = candidates[: self.settings.pool_chunks]
        sentences, owners = _pool_sentences(snapshot, pool)
        if not sentences:
            return candidates, []
        if vectors.main is None:
            assert vectors.multilingual is not None
            scores = _similarity(
                snapshot, MULTILINGUAL_SENTENCE_VECTORS, vectors.multilingual, sentences
            )
            return candidates, _scored(sentences, owners, scores)
        if self.cross_encoder is None:
            scores = _similarity(snapshot, SENTENCE_VECTORS, vectors.main, sentences)
            return candidates, _scored(sentences, owners, scores)
        order = self._prescore(snapshot, question, vectors, sentences, owners)
        ordered = [sentences[i] for i in order]
        scored = self._cross_encode(snapshot, question, ordered, owners, alone)
        return _reorder(candidates, scored), scored

    def _prescore(
        self,
        snapshot: Snapshot,
        question: str,
        vectors: QueryVectors,
        sentences: list[int],
        owners: dict[int, int],
    ) -> list[int]:
        """Sentence indexes, most promising first: fused ranks of cheap signals."""
        terms = snapshot.sentence_terms(sentences)
        lexical = np.asarray(overlap_scores(snapshot.keyword, question, terms))
        rank_of: dict[int, int] = {}
        for s in sentences:
            rank_of.setdefault(owners[s], len(rank_of))
        chunk_rank = np.asarray([rank_of[owners[s]] for s in sentences])
        signals = [-lexical, chunk_rank]
        assert vectors.main is not None
        signals.append(-_similarity(snapshot, SENTENCE_VECTORS, vectors.main, sentences))
        if vectors.multilingual is not None and MULTILINGUAL_SENTENCE_VECTORS in snapshot.vectors:
            signals.append(
                -_similarity(
                    snapshot, MULTILINGUAL_SENTENCE_VECTORS, vectors.multilingual, sentences
                )
            )
        rankings = [list(np.argsort(signal, kind="stable")) for signal in signals]
        return [int(i) for i, _ in reciprocal_rank_fusion(rankings, k=10)]

    def _cross_encode(
        self,
        snapshot: Snapshot,
        question: str,
        ordered: list[int],
        owners: dict[int, int],
        alone: bool,
    ) -> list[ScoredSentence]:
        encoder = self.cross_encoder
        assert encoder is not None
        first = ordered[: self.settings.first_pass]
        logits = list(encoder.score(question, _pair_texts(snapshot, first), alone=alone))
        if max(logits) < self.settings.confident_logit:
            more = ordered[
                self.settings.first_pass : self.settings.first_pass + self.settings.second_pass
            ]
            logits += list(encoder.score(question, _pair_texts(snapshot, more), alone=alone))
            first = first + more
        return sorted(
            (
                ScoredSentence(row, owners[row], float(score))
                for row, score in zip(first, logits, strict=True)
            ),
            key=lambda s: -s.score,
        )


def _similarity(snapshot: Snapshot, name: str, vector: Vectors, sentences: list[int]) -> Scores:
    scores: Scores = snapshot.vectors[name][sentences] @ vector.reshape(-1)
    return scores


def _scored(sentences: list[int], owners: dict[int, int], scores: Scores) -> list[ScoredSentence]:
    return sorted(
        (
            ScoredSentence(row, owners[row], float(s))
            for row, s in zip(sentences, scores, strict=True)
        ),
        key=lambda s: -s.score,
    )


def _pool_sentences(snapshot: Snapshot, pool: list[Candidate]) -> tuple[list[int], dict[int, int]]:
    """Distinct readable sentence rows of the pooled chunks (see qa.rerank.readable), each
    mapped to its best-ranked chunk."""
    sentences: list[int] = []
    owners: dict[int, int] = {}
    for candidate in pool:
        lo, hi = snapshot.chunks[candidate.row, [SENT_LO, SENT_HI]]
        for row in range(int(lo), int(hi)):
            if row not in owners:
                owners[row] = candidate.row
                if is_readable(snapshot.sentence_text(row)):
                    sentences.append(row)
    return sentences, owners


def _pair_texts(snapshot: Snapshot, sentences: list[int]) -> list[str]:
    """What the cross-encoder reads: the document title, then the sentence; a sentence that
    opens with a pronoun ("She also revealed ...") also gets the sentence before it."""
    texts = []
    for row in sentences:
        doc_row = int(snapshot.sentences[row, 0])
        text = snapshot.sentence_text(row)
        if _ANAPHORIC_START.match(text) and row > 0 and snapshot.sentences[row - 1, 0] == doc_row:
            text = f"{snapshot.sentence_text(row - 1)} {text}"
        texts.append(f"{snapshot.documents[doc_row].title}. {text}")
    return texts


def _reorder(candidates: list[Candidate], scored: list[ScoredSentence]) -> list[Candidate]:
    """Chunks with a scored sentence first, by their best sentence; the rest keep their order."""
    best: dict[int, float] = {}
    for sentence in scored:
        best[sentence.chunk_row] = max(best.get(sentence.chunk_row, -np.inf), sentence.score)
    ranked = [Candidate(row, score) for row, score in sorted(best.items(), key=lambda kv: -kv[1])]
    return ranked + [c for c in candidates if c.row not in best]
