"""Index a corpus folder: load every readable file, then build incrementally."""

from __future__ import annotations

import logging

from index.building.builder import PARTS_DIR, IndexBuilder
from index.documents.limits import check_document_size
from index.embedders import make_embedder
from index.loaders import LoaderError, corpus_doc_ids, iter_corpus, load_path
from index.settings import IndexSettings
from index.snapshots.backends import open_backend
from index.text.chunking import SentenceChunker
from index.types import Document

log = logging.getLogger(__name__)


def load_corpus(settings: IndexSettings) -> tuple[list[Document], list[tuple[str, str]]]:
    """Documents of the corpus folder, and (file, reason) for each file that was skipped."""
    documents: list[Document] = []
    skipped: list[tuple[str, str]] = []
    root = settings.corpus_dir
    paths = list(iter_corpus(root))
    doc_ids = corpus_doc_ids(paths, root)
    for path in paths:
        try:
            document = load_path(path, root, doc_ids[path], settings.loader_limits)
            check_document_size(document, settings.max_document_chars)
            documents.append(document)
        except (LoaderError, OSError) as exc:
            log.warning("skipping %s: %s", path, exc)
            skipped.append((path.relative_to(root).as_posix(), str(exc)))
    return documents, skipped


def make_builder(settings: IndexSettings, progress: bool = True) -> IndexBuilder:
    """The builder `settings` describe; with `ray_address`, it embeds on that Ray cluster."""
    remote = None
    if settings.ray_address:
        from index.building.ray_encode import RayEncoding

        remote = RayEncoding(
            settings.ray_address,
            settings.embedding_model,
            settings.multilingual_model,
            settings.chunker,
            workers=settings.ray_workers,
            cpus_per_worker=settings.ray_cpus_per_worker,
        )
    return IndexBuilder(
        open_backend(settings),
        make_embedder(settings.embedding_model),
        SentenceChunker(settings.chunker),
        multilingual=make_embedder(settings.multilingual_model)
        if settings.multilingual_model
        else None,
        keep_snapshots=settings.keep_snapshots,
        progress=progress,
        parts_dir=settings.index_dir / PARTS_DIR,
        remote=remote,
    )
