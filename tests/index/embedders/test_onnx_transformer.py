"""Questions are embedded by onnxruntime; the vectors must be torch's, in every language."""

from __future__ import annotations

import numpy as np

from index.embedders import Embedder, SentenceTransformerEmbedder
from index.embedders.onnx_transformer import OnnxTransformer

QUESTIONS = [
    "Where was the CASIE 2022 symposium held?",
    "Где прошёл симпозиум CASIE 2022?",
    "CASIE 2022 симпозиумы қай жерде өтті?",
    # Longer than MiniLM's 256 tokens: both runtimes must truncate it the same way.
    " ".join(["Which countries sent delegations to the symposium in Almaty?"] * 40),
]


def test_question_vectors_equal_the_torch_vectors(embedder: Embedder) -> None:
    assert isinstance(embedder, SentenceTransformerEmbedder)
    embedder.prepare_queries()
    one_by_one = np.stack([embedder.embed_queries([q])[0] for q in QUESTIONS])
    together = embedder.embed_queries(QUESTIONS)
    torch_vectors = embedder.embed_documents(QUESTIONS)  # documents stay on torch
    assert one_by_one.dtype == np.float32
    np.testing.assert_allclose(one_by_one, torch_vectors, atol=1e-5)
    np.testing.assert_allclose(together, torch_vectors, atol=1e-5)
    # The questions were really embedded by onnxruntime, not by the torch fallback.
    assert embedder.query_runtime == "onnxruntime"


def test_the_export_runs_the_transformer_of_the_loaded_model(embedder: Embedder) -> None:
    assert isinstance(embedder, SentenceTransformerEmbedder)
    onnx = OnnxTransformer(embedder._model, threads=1)
    vectors = onnx.encode(QUESTIONS[:2])
    assert vectors.shape == (2, embedder.dim)
    np.testing.assert_allclose(vectors, embedder.embed_documents(QUESTIONS[:2]), atol=1e-5)
