"""Questions are embedded by the ONNX export of MiniLM: the vectors must be torch's, the
export is cached on disk and reused without torch, and a question is read up to its token
budget."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.embedders import (
    MINILM_ID,
    QUESTION_TOKENS,
    Embedder,
    SentenceTransformerEmbedder,
    make_embedder,
)
from index.embedders.sentence_transformers import resolve_model_path
from tests.conftest import fresh_python

QUESTIONS = [
    "Where was the CASIE 2022 symposium held?",
    "Где прошёл симпозиум CASIE 2022?",
    "CASIE 2022 симпозиумы қай жерде өтті?",
    # About 100 tokens: within the question budget, longer than any batch-mate.
    " ".join(["Which countries sent delegations to the symposium in Almaty?"] * 8),
]


def test_question_vectors_equal_the_torch_vectors(embedder: Embedder) -> None:
    assert isinstance(embedder, SentenceTransformerEmbedder)
    embedder.prepare_queries()
    one_by_one = np.stack([embedder.embed_queries([q])[0] for q in QUESTIONS])
    together = embedder.embed_queries(QUESTIONS)
    torch_vectors = embedder.model.encode(QUESTIONS, normalize_embeddings=True)
    assert one_by_one.dtype == np.float32
    np.testing.assert_allclose(one_by_one, torch_vectors, atol=1e-5)
    np.testing.assert_allclose(together, torch_vectors, atol=1e-5)
    # The questions were really embedded by onnxruntime, not by the torch fallback.
    assert embedder.query_runtime == "onnxruntime"


def test_a_question_is_read_up_to_its_token_budget(embedder: Embedder) -> None:
    words = " ".join(f"word{i}" for i in range(400))  # about 1,200 tokens
    assert QUESTION_TOKENS < 256  # MiniLM's own limit: the budget cuts first
    long, longer = embedder.embed_queries([words, words + " and a different ending here"])
    np.testing.assert_array_equal(long, longer)
    short = SentenceTransformerEmbedder(question_tokens=8).embed_queries([words])[0]
    assert float(short @ long) < 0.99  # the budget is what decides where the cut falls


def test_a_new_process_reads_the_cached_export_without_torch(embedder: Embedder) -> None:
    """What makes `citeqa ask` and `citeqa serve` start fast: no torch import at all."""
    assert isinstance(embedder, SentenceTransformerEmbedder)
    embedder.prepare_queries()  # exported into this session's cache (tests/conftest.py)
    script = (
        "import sys; from index.embedders import make_embedder; "
        f"e = make_embedder({MINILM_ID!r}); v = e.embed_queries(['Where was it held?']); "
        "print(e.query_runtime, 'torch' in sys.modules, e.loaded, v.shape)"
    )
    done = fresh_python(script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["onnxruntime", "False", "False", "(1,", "384)"]


def test_a_changed_model_gets_an_export_of_its_own(tmp_path: Path, embedder: Embedder) -> None:
    assert isinstance(embedder, SentenceTransformerEmbedder)
    original = Path(resolve_model_path(MINILM_ID))
    copy = tmp_path / "minilm"
    shutil.copytree(original, copy, symlinks=True, copy_function=os.symlink)
    (copy / "README.md").unlink()
    (copy / "README.md").write_text("changed\n")
    changed = SentenceTransformerEmbedder(str(copy))
    layout = changed._layout
    assert layout is not None
    assert changed.export_path(layout) != embedder.export_path(layout)


def test_a_damaged_cached_export_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: Embedder
) -> None:
    monkeypatch.setenv("CITEQA_CACHE_DIR", str(tmp_path))
    first = SentenceTransformerEmbedder()
    assert first._layout is not None
    path = first.export_path(first._layout)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an onnx graph")
    vector = first.embed_queries([QUESTIONS[0]])
    assert first.query_runtime == "onnxruntime"
    assert isinstance(embedder, SentenceTransformerEmbedder)
    expected = embedder.model.encode(QUESTIONS[:1], normalize_embeddings=True)
    np.testing.assert_allclose(vector, expected, atol=1e-5)
    second = SentenceTransformerEmbedder()
    second.prepare_queries()
    assert second.query_runtime == "onnxruntime"
    assert not second.loaded  # read from the cache, torch model never loaded


def test_nothing_is_loaded_to_know_the_dimension() -> None:
    fresh = make_embedder(MINILM_ID)
    assert isinstance(fresh, SentenceTransformerEmbedder)
    assert fresh.dim == 384
    assert not fresh.loaded
