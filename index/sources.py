"""The documents an index is built from: the corpus folder, then managed uploads over it
(an upload with a corpus file's id replaces it), minus the deleted ids."""

from __future__ import annotations

from index.corpus import load_corpus
from index.document_store import DocumentStore
from index.settings import IndexSettings
from index.types import Document

Skipped = list[tuple[str, str]]


def collect_documents(
    settings: IndexSettings, store: DocumentStore
) -> tuple[list[Document], Skipped]:
    """All documents sorted by id, and (file, reason) for corpus files that were skipped."""
    corpus, skipped = load_corpus(settings) if settings.corpus_dir.is_dir() else ([], [])
    deleted = store.deleted_ids()
    by_id = {doc.doc_id: doc for doc in corpus if doc.doc_id not in deleted}
    by_id.update((doc.doc_id, doc) for doc in store.documents())
    return [by_id[doc_id] for doc_id in sorted(by_id)], skipped
