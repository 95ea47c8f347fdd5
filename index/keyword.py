"""BM25 keyword index (bm25s), English stop words and Snowball stemming."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from index.stores.base import RowIds, Scores, empty_result

# bm25s sets its logger to DEBUG when imported; keep its index-building chatter out of logs.
logging.getLogger("bm25s").setLevel(logging.WARNING)

# Written by bm25s's save(); absent when there was no model to save.
_PARAMS_FILE = "params.index.json"


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stemmed word tokens without English stop words."""
    tokens = bm25s.tokenize(
        list(texts), stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False
    )
    return [list(t) for t in tokens]


class BM25Index:
    """BM25 over chunk texts; row i of the index is chunk row i of the snapshot."""

    def __init__(self, model: bm25s.BM25 | None, size: int) -> None:
        self._model = model
        self._size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> BM25Index:
        """The index of `texts`; texts without a single word (only stop words, punctuation or
        space) get no model, as bm25s cannot index an empty vocabulary."""
        tokens = tokenize(texts)
        if not any(tokens):
            return cls(None, len(texts))
        model = bm25s.BM25()
        model.index(tokens, show_progress=False)
        return cls(model, len(texts))

    def __len__(self) -> int:
        return self._size

    def search(self, query: str, k: int, allowed: RowIds | None = None) -> tuple[Scores, RowIds]:
        """Top-k rows by BM25 score (rows scoring 0 are left out); ids are -1 past the end."""
        scores, ids = empty_result(1, k)
        tokens = tokenize([query])[0]
        if self._model is None or not tokens or (allowed is not None and len(allowed) == 0):
            return scores[0], ids[0]
        mask = None
        if allowed is not None:
            mask = np.zeros(self._size, dtype=np.float32)
            mask[allowed] = 1.0
        all_scores = np.asarray(self._model.get_scores(tokens, weight_mask=mask), np.float32)
        top = _top_k(all_scores, k)
        top = top[all_scores[top] > 0]
        scores[0, : len(top)] = all_scores[top]
        ids[0, : len(top)] = top
        return scores[0], ids[0]

    def idf(self, tokens: Sequence[str]) -> list[float]:
        """Lucene's BM25 idf of each token (0 for tokens the index has never seen)."""
        n = self._size
        return [
            math.log(1 + (n - df + 0.5) / (df + 0.5)) if df else 0.0
            for df in self.document_frequencies(tokens)
        ]

    def document_frequencies(self, tokens: Sequence[str]) -> list[int]:
        """How many chunks hold each token (0 for tokens the index has never seen)."""
        if self._model is None:
            return [0] * len(tokens)
        vocab = self._model.vocab_dict
        indptr = self._model.scores["indptr"]
        result = []
        for token in tokens:
            at = vocab.get(token)
            result.append(int(indptr[at + 1] - indptr[at]) if at is not None and token else 0)
        return result

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        (path / "size").write_text(str(self._size))
        if self._model is not None:
            self._model.save(str(path))

    @classmethod
    def load(cls, path: Path) -> BM25Index:
        size = int((path / "size").read_text())
        model = bm25s.BM25.load(str(path)) if (path / _PARAMS_FILE).is_file() else None
        return cls(model, size)


def _top_k(scores: Scores, k: int) -> RowIds:
    if k >= len(scores):
        order = np.argsort(-scores, kind="stable")
    else:
        part = np.argpartition(-scores, k)[:k]
        order = part[np.argsort(-scores[part], kind="stable")]
    return order.astype(np.int64)
