"""The documents of a corpus folder: every readable file loaded, the others skipped with
their reason."""

from __future__ import annotations

import logging

from index.documents.limits import check_document_size
from index.loaders import LoaderError, corpus_doc_ids, iter_corpus, load_path
from index.settings import IndexSettings
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
