"""Both index backends for parametrised tests: FAISS snapshot folders and Milvus (Lite)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.backends import open_backend
from index.builder import IndexBuilder
from index.chunking import SentenceChunker
from index.embedders import Embedder
from index.settings import IndexSettings
from qa.models import Models

BACKENDS = ["faiss", "milvus"]


def backend_settings(kind: str, root: Path, **more: object) -> IndexSettings:
    """Index settings of backend `kind` under `root` (Milvus Lite: a database file there)."""
    milvus = {"milvus_uri": str(root / "milvus.db")} if kind == "milvus" else {}
    return IndexSettings(index_dir=root / "index", vector_store=kind, **{**milvus, **more})  # type: ignore[arg-type]


def backend_builder(
    settings: IndexSettings, models: Models, embedder: Embedder | None = None
) -> IndexBuilder:
    """A builder on `settings`' backend with the session's models (or another embedder,
    then without the multilingual one)."""
    return IndexBuilder(
        open_backend(settings),
        embedder or models.embedder,
        SentenceChunker(settings.chunker),
        multilingual=None if embedder else models.multilingual,
        progress=False,
    )


backend = pytest.mark.parametrize("kind", BACKENDS)
