"""Both index backends for parametrised tests: FAISS snapshot folders and Milvus (Lite)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.building.builder import IndexBuilder
from index.embedders import Embedder
from index.settings import IndexSettings
from index.snapshots.backends import open_backend
from index.text.chunking import SentenceChunker
from index.types import Document
from qa.models import Models

BACKENDS = ["faiss", "milvus"]
# Two short documents with metadata (a list-valued key among them), for both backends.
SMALL_DOCUMENTS = [
    Document(
        "glimmerfen.txt",
        "Glimmerfen lighthouse",
        "glimmerfen.txt",
        "en",
        "The Glimmerfen lighthouse was painted teal in 1987 by Orla Vance. "
        "Visitors climb 131 steps to reach the gallery at the top of the tower.",
        {"kind": "notes", "tags": ["sea", "coast"], "year": 1987},
    ),
    Document(
        "velsa.txt",
        "Velsa river",
        "velsa.txt",
        "en",
        "The Velsa river freezes every January. Its ferry to Uzbekistan was never built.",
        {"kind": "notes", "tags": ["river"], "year": 2024},
    ),
]


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
