"""The documents an index is built from: the corpus folder, then managed uploads over it
(an upload with a corpus file's id replaces it), minus the deleted ids."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

from index.documents.corpus import load_corpus
from index.documents.document_store import DocumentRecords
from index.documents.limits import check_document_size
from index.loaders import LoaderError, corpus_doc_ids, load_path
from index.settings import IndexSettings
from index.types import Document

log = logging.getLogger(__name__)

Skipped = list[tuple[str, str]]


def collect_documents(
    settings: IndexSettings,
    store: DocumentRecords,
    corpus: Sequence[Document] | None = None,
) -> tuple[list[Document], Skipped]:
    """All documents sorted by id, and (file, reason) for corpus files that were skipped.

    `corpus` replaces the corpus folder: a server on Milvus takes the corpus documents from
    the index in service, since the indexing job owns the folder.
    """
    skipped: Skipped = []
    if corpus is None:
        corpus, skipped = load_corpus(settings) if settings.corpus_dir.is_dir() else ([], [])
    deleted = store.deleted_ids()
    by_id = {doc.doc_id: doc for doc in corpus if doc.doc_id not in deleted}
    by_id.update((doc.doc_id, doc) for doc in store.documents())
    return [by_id[doc_id] for doc_id in sorted(by_id)], skipped


def stream_documents(
    settings: IndexSettings, store: DocumentRecords, paths: Sequence[Path], skipped: Skipped
) -> Iterator[Document]:
    """The corpus files one by one (minus those deleted or replaced through the admin API),
    then the uploads; files that cannot be read are added to `skipped`."""
    records = store.records()
    replaced = {r.doc_id for r in records}
    root = settings.corpus_dir
    doc_ids = corpus_doc_ids(paths, root)
    for path in paths:
        try:
            doc = load_path(path, root, doc_ids[path], settings.loader_limits)
            check_document_size(doc, settings.max_document_chars)
        except (LoaderError, OSError) as exc:
            log.warning("skipping %s: %s", path, exc)
            skipped.append((path.relative_to(root).as_posix(), str(exc)))
            continue
        if doc.doc_id not in replaced:
            yield doc
    for record in records:
        if not record.deleted:
            yield record.to_document()
