"""Index a corpus folder: load every readable file, then build incrementally."""

from __future__ import annotations

import logging

from index.backends import open_backend
from index.builder import IndexBuilder
from index.chunking import SentenceChunker
from index.embedders import make_embedder
from index.loaders import LoaderError, iter_corpus, load_path
from index.settings import IndexSettings
from index.types import Document

log = logging.getLogger(__name__)


def load_corpus(settings: IndexSettings) -> tuple[list[Document], list[tuple[str, str]]]:
    """Documents of the corpus folder, and (file, reason) for each file that was skipped."""
    documents: list[Document] = []
    skipped: list[tuple[str, str]] = []
    root = settings.corpus_dir
    for path in iter_corpus(root):
        try:
            documents.append(load_path(path, root, settings.loader_limits))
        except (LoaderError, OSError) as exc:
            log.warning("skipping %s: %s", path, exc)
            skipped.append((path.relative_to(root).as_posix(), str(exc)))
    return documents, skipped


def make_builder(settings: IndexSettings, progress: bool = True) -> IndexBuilder:
    return IndexBuilder(
        open_backend(settings),
        make_embedder(settings.embedding_model),
        SentenceChunker(settings.chunker),
        multilingual=make_embedder(settings.multilingual_model)
        if settings.multilingual_model
        else None,
        keep_snapshots=settings.keep_snapshots,
        progress=progress,
    )
