"""Sentence-level evidence scoring: a cross-encoder reads the most promising sentences.

English questions over English text are read by the English cross-encoder (ms-marco);
questions on the multilingual path (another language than the corpus, or a corpus not in
English) by the multilingual reader (qa/reader), which also finds the answer's span.
Reading is the costly step (about 0.3 ms per token on two cores), so a reader reads
sentences, not whole chunks, and only the most promising ones: sentences of the top
chunks are first ordered by a cheap fusion of signals (embedding similarity, idf overlap
with the question, rank of their chunk); the first `first_pass` are read, and only when
none of them is convincing (logit below `confident_logit`) are `second_pass` more read. A
sentence the reader read scores its logit plus a prior from retrieval (its chunk's rank,
its cosine to the question, how near the pool's best sentence comes to it). A chunk then
ranks by its best scored sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.embedders.base import Vectors
from index.snapshots.snapshot import (
    DOC,
    MULTILINGUAL_SENTENCE_VECTORS,
    SENT_HI,
    SENT_LO,
    SENTENCE_VECTORS,
    Snapshot,
)
from index.stores.base import Scores
from qa.calibration import COSINE, COSINE_MULTILINGUAL, CROSS_ENCODER, READER
from qa.reader.pairs import ReaderInput, reading_context
from qa.reader.reader import Reader, Span
from qa.rerank.cross_encoder import CrossEncoder
from qa.rerank.lexical import overlap_scores
from qa.rerank.parts import sentence_parts
from qa.rerank.readable import is_readable
from qa.retrieval.candidates import Candidate
from qa.retrieval.fusion import reciprocal_rank_fusion
from qa.retrieval.hybrid import QueryVectors


@dataclass(slots=True)
class ScoredSentence:
    """A sentence row with its evidence score and the best-ranked chunk that holds it;
    `span` is where the reader found the answer in it (sentence characters), if it read it."""

    row: int
    chunk_row: int
    score: float
    span: Span | None = None


@dataclass(slots=True)
class Ranking:
    """Chunks reordered by their best sentence, the scored sentences (best first), and
    what scored them (see qa.calibration.SCORERS)."""

    candidates: list[Candidate]
    sentences: list[ScoredSentence]
    scorer: str


@dataclass(frozen=True, slots=True)
class Prescored:
    """Sentence rows, most promising first, with what retrieval says of each: its chunk's
    rank in the pool and, with a multilingual question vector, its cosine to the question
    less the pool's best; and, for a question in another language than its documents, that
    best cosine (see `reader_best_cosine_weight`)."""

    rows: list[int]
    chunk_rank: dict[int, int]
    cosine: dict[int, float] | None
    best_cosine: float | None = None


@dataclass(frozen=True, slots=True)
class SentenceRerankSettings:
    pool_chunks: int = 10
    first_pass: int = 3
    second_pass: int = 5
    confident_logit: float = 4.0
    # The calibration's 480 translated questions, reading the 30 most promising sentences
    # of each: the best read sentence held the answer for 0.646 of them after 4, 0.657 after
    # 4 + 6 when the first 4 were unconvincing (logit < 2), and 0.657 after 4 + 2 (logit < 1)
    # for a third fewer tokens read (p95 571 against 906); reading all 30: 0.653.
    reader_first_pass: int = 4
    reader_second_pass: int = 2
    reader_confident_logit: float = 1.0
    reader_reads_english: bool = False  # the reader, not the cross-encoder, reads English
    # A read sentence's score is the reader's logit plus what retrieval says of it: these
    # times its multilingual cosine to the question (less the pool's best) and its chunk's
    # rank. Fitted on the calibration's 480 translated questions (not the benchmark's),
    # reading every pooled sentence: the best sentence held the answer for 0.533 / 0.650
    # (Kazakh / Russian) of them by the logit alone, 0.562 / 0.679 with these, and within
    # 0.01 of that for cosine weights 15-30 and rank weights -0.1 to -0.3.
    reader_cosine_weight: float = 20.0
    reader_chunk_rank_weight: float = -0.2
    # ... and this times how far the pool's best cosine falls short of 1: the same for every
    # sentence of a question, so it leaves their order alone, but a question whose answer the
    # corpus lacks finds no sentence as near, so it lowers the score citeqa abstains on. At
    # the same false abstention rate, the calibration's translated questions asked without
    # their article were refused 0.41 of the time with the logit and prior above, and 0.60
    # to 0.61 with this term weighted 80 to 160 (0.53 at 40 and at 400). Only across
    # languages: a question in its documents' own language that they do not answer is
    # mostly about the same topic as they are (the unanswerable questions of the Kazakh and
    # Russian corpus sets, half a: refused 44 of 103 times without it, 37 with it).
    reader_best_cosine_weight: float = 100.0


class SentenceReranker:
    """Scores candidate sentences and reorders chunks by their best sentence."""

    def __init__(
        self,
        cross_encoder: CrossEncoder | None,
        settings: SentenceRerankSettings,
        reader: Reader | None = None,
    ) -> None:
        self.cross_encoder = cross_encoder
        self.reader = reader
        self.settings = settings

    def rerank(
        self,
        snapshot: Snapshot,
        question: str,
        vectors: QueryVectors,
        candidates: list[Candidate],
        *,
        alone: bool = False,
        across_languages: bool = False,
    ) -> Ranking:
        """Reordered candidates and the scored sentences, best first. `alone`: no other
        question is being answered, so the cross-encoder may keep its threads awake;
        `across_languages`: the question is not in its documents' language.

        A question without the main vector (the multilingual path) is read by the reader;
        without one, or without a cross-encoder on the English path, sentences are scored
        by embedding similarity and the chunk order is kept.
        """
        pool = candidates[: self.settings.pool_chunks]
        sentences, owners = _pool_sentences(snapshot, pool)
        if not sentences:
            scorer = CROSS_ENCODER if vectors.main is not None else COSINE_MULTILINGUAL
            return Ranking(candidates, [], scorer)
        if vectors.main is None:
            assert vectors.multilingual is not None
            if self.reader is not None:
                prescored = self._prescore(
                    snapshot, question, vectors, sentences, owners, across_languages
                )
                scored = self._read(snapshot, question, prescored, owners)
                return Ranking(_reorder(candidates, scored), scored, READER)
            scores = _similarity(
                snapshot, MULTILINGUAL_SENTENCE_VECTORS, vectors.multilingual, sentences
            )
            return Ranking(candidates, _scored(sentences, owners, scores), COSINE_MULTILINGUAL)
        if self.reader is not None and (
            self.settings.reader_reads_english or self.cross_encoder is None
        ):
            prescored = self._prescore(
                snapshot, question, vectors, sentences, owners, across_languages
            )
            scored = self._read(snapshot, question, prescored, owners)
            return Ranking(_reorder(candidates, scored), scored, READER)
        if self.cross_encoder is None:
            scores = _similarity(snapshot, SENTENCE_VECTORS, vectors.main, sentences)
            return Ranking(candidates, _scored(sentences, owners, scores), COSINE)
        ordered = self._prescore(snapshot, question, vectors, sentences, owners).rows
        scored = self._cross_encode(snapshot, question, ordered, owners, alone)
        return Ranking(_reorder(candidates, scored), scored, CROSS_ENCODER)

    def _prescore(
        self,
        snapshot: Snapshot,
        question: str,
        vectors: QueryVectors,
        sentences: list[int],
        owners: dict[int, int],
        across_languages: bool = False,
    ) -> Prescored:
        """The sentences, most promising first (fused ranks of cheap signals), with the
        signals a reader's score weighs too."""
        terms = snapshot.sentence_terms(sentences)
        lexical = np.asarray(overlap_scores(snapshot.keyword, question, terms))
        rank_of: dict[int, int] = {}
        for s in sentences:
            rank_of.setdefault(owners[s], len(rank_of))
        chunk_rank = np.asarray([rank_of[owners[s]] for s in sentences])
        signals = [-lexical, chunk_rank]
        if vectors.main is not None:
            signals.append(-_similarity(snapshot, SENTENCE_VECTORS, vectors.main, sentences))
        cosine = None
        if vectors.multilingual is not None and MULTILINGUAL_SENTENCE_VECTORS in snapshot.vectors:
            cosine = _similarity(
                snapshot, MULTILINGUAL_SENTENCE_VECTORS, vectors.multilingual, sentences
            )
            signals.append(-cosine)
        below_best: dict[int, float] | None = None
        best: float | None = None
        if cosine is not None:
            top = cosine.max()
            below_best = {s: float(c) for s, c in zip(sentences, cosine - top, strict=True)}
            best = float(top) if across_languages else None
        rankings = [list(np.argsort(signal, kind="stable")) for signal in signals]
        return Prescored(
            rows=[sentences[int(i)] for i, _ in reciprocal_rank_fusion(rankings, k=10)],
            chunk_rank={s: int(r) for s, r in zip(sentences, chunk_rank, strict=True)},
            cosine=below_best,
            best_cosine=best,
        )

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
        logits = _best_readings(encoder, question, snapshot, first, alone)
        if max(logits) < self.settings.confident_logit:
            more = ordered[
                self.settings.first_pass : self.settings.first_pass + self.settings.second_pass
            ]
            logits += _best_readings(encoder, question, snapshot, more, alone)
            first = first + more
        return sorted(
            (
                ScoredSentence(row, owners[row], float(score))
                for row, score in zip(first, logits, strict=True)
            ),
            key=lambda s: -s.score,
        )

    def _read(
        self, snapshot: Snapshot, question: str, prescored: Prescored, owners: dict[int, int]
    ) -> list[ScoredSentence]:
        """The reader's logits (and spans) for the most promising sentences, each plus what
        retrieval says of it (see SentenceRerankSettings)."""
        reader = self.reader
        assert reader is not None
        settings = self.settings
        ordered = prescored.rows
        first = ordered[: settings.reader_first_pass]
        readings = reader.read(question, reader_inputs(snapshot, first))
        if max(r.logit for r in readings) < settings.reader_confident_logit:
            more = ordered[
                settings.reader_first_pass : settings.reader_first_pass
                + settings.reader_second_pass
            ]
            readings += reader.read(question, reader_inputs(snapshot, more))
            first = first + more
        return sorted(
            (
                ScoredSentence(
                    row, owners[row], r.logit + retrieval_prior(prescored, row, settings), r.span
                )
                for row, r in zip(first, readings, strict=True)
            ),
            key=lambda s: -s.score,
        )


def retrieval_prior(prescored: Prescored, row: int, settings: SentenceRerankSettings) -> float:
    """What a read sentence's score adds to the reader's logit: its chunk's rank, its
    cosine to the question below the pool's best, and the pool's best cosine below 1, each
    weighted (at most 0)."""
    prior = settings.reader_chunk_rank_weight * prescored.chunk_rank[row]
    if prescored.cosine is not None:
        prior += settings.reader_cosine_weight * prescored.cosine[row]
    if prescored.best_cosine is not None:
        prior += settings.reader_best_cosine_weight * (prescored.best_cosine - 1.0)
    return prior


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


def reader_inputs(snapshot: Snapshot, sentences: list[int]) -> list[ReaderInput]:
    """What a reader reads of each sentence: the document title and, for a sentence that
    opens with a pronoun ("She also revealed ..."), the sentence before it; then the
    sentence."""
    inputs = []
    for row in sentences:
        doc_row = int(snapshot.sentences[row, DOC])
        previous = (
            snapshot.sentence_text(row - 1)
            if row > 0 and snapshot.sentences[row - 1, DOC] == doc_row
            else None
        )
        text = snapshot.sentence_text(row)
        title = snapshot.documents[doc_row].title
        inputs.append(ReaderInput(reading_context(title, previous, text), text))
    return inputs


def _best_readings(
    encoder: CrossEncoder, question: str, snapshot: Snapshot, sentences: list[int], alone: bool
) -> list[float]:
    """Each sentence's logit: its best reading, whole or, for a long sentence, one of its
    parts (qa.rerank.parts), each after the sentence's context."""
    texts: list[str] = []
    owners: list[int] = []
    for i, read in enumerate(reader_inputs(snapshot, sentences)):
        for text in (read.sentence, *sentence_parts(read.sentence)):
            texts.append(f"{read.context} {text}")
            owners.append(i)
    best = np.full(len(sentences), -np.inf, dtype=np.float32)
    np.maximum.at(best, owners, encoder.score(question, texts, alone=alone))
    return [float(logit) for logit in best]


def _reorder(candidates: list[Candidate], scored: list[ScoredSentence]) -> list[Candidate]:
    """Chunks with a scored sentence first, by their best sentence; the rest keep their order."""
    best: dict[int, float] = {}
    for sentence in scored:
        best[sentence.chunk_row] = max(best.get(sentence.chunk_row, -np.inf), sentence.score)
    ranked = [Candidate(row, score) for row, score in sorted(best.items(), key=lambda kv: -kv[1])]
    return ranked + [c for c in candidates if c.row not in best]
