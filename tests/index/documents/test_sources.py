"""The documents to index: corpus files, uploads over them, deletions taken out."""

from __future__ import annotations

from pathlib import Path

from index.documents.document_store import DocumentStore
from index.documents.sources import collect_documents, stream_documents
from index.settings import IndexSettings
from index.types import Document


def test_uploads_override_corpus_files_and_tombstones_hide_them(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Alpha text about Almaty.", "utf-8")
    (corpus / "b.txt").write_text("Beta text about Bishkek.", "utf-8")
    (corpus / "c.bin.txt").write_bytes(b"\x00\x01binary")
    settings = IndexSettings(corpus_dir=corpus, index_dir=tmp_path / "index")
    store = DocumentStore.for_index(settings.index_dir)
    store.put(Document("a.txt", "A", "a.txt", "en", "Uploaded alpha."), b"x", "a.txt")
    store.put(Document("new.md", "N", "new.md", "en", "Brand new."), b"y", "new.md")
    store.delete("b.txt")
    documents, skipped = collect_documents(settings, store)
    assert [d.doc_id for d in documents] == ["a.txt", "new.md"]
    assert documents[0].text == "Uploaded alpha."
    assert [name for name, _ in skipped] == ["c.bin.txt"]


def test_missing_corpus_folder_means_uploads_only(tmp_path: Path) -> None:
    settings = IndexSettings(corpus_dir=tmp_path / "nowhere", index_dir=tmp_path / "index")
    store = DocumentStore.for_index(settings.index_dir)
    store.put(Document("n.md", "N", "n.md", "en", "Only this."), b"y", "n.md")
    documents, skipped = collect_documents(settings, store)
    assert [d.doc_id for d in documents] == ["n.md"]
    assert skipped == []


def test_a_corpus_file_over_the_document_limit_is_skipped_with_its_reason(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "short.txt").write_text("Almaty hosted CASIE 2022.", "utf-8")
    (corpus / "long.txt").write_text("The archive holds maps. " * 125, "utf-8")
    settings = IndexSettings(
        corpus_dir=corpus, index_dir=tmp_path / "index", max_document_chars=2_000
    )
    skipped: list[tuple[str, str]] = []
    paths = sorted(corpus.iterdir())
    store = DocumentStore.for_index(settings.index_dir)
    documents = list(stream_documents(settings, store, paths, skipped))
    assert [d.doc_id for d in documents] == ["short.txt"]
    assert skipped == [
        (
            "long.txt",
            "the document's text has 3,000 characters, over the limit of 2,000 "
            "(CITEQA_MAX_DOCUMENT_CHARS)",
        )
    ]
