"""Managed documents persist atomically, survive a restart, and never follow an id as a path."""

from __future__ import annotations

from pathlib import Path

from index.documents.document_store import META, DocumentStore
from index.types import Document

DOC = Document("notes.md", "Notes", "notes.md", "en", "Almaty hosted CASIE 2022.", {"k": 1})


def test_put_get_and_reopen(tmp_path: Path) -> None:
    store = DocumentStore.for_index(tmp_path)
    record = store.put(DOC, b"# Notes\nAlmaty hosted CASIE 2022.", "notes.md")
    assert record.file is not None
    assert record.file.size == len(b"# Notes\nAlmaty hosted CASIE 2022.")
    reopened = DocumentStore.for_index(tmp_path)
    got = reopened.get("notes.md")
    assert got is not None
    assert got.to_document() == DOC
    assert reopened.documents() == [DOC]
    folder = tmp_path / "documents" / "notes.md"
    assert sorted(p.name for p in folder.iterdir()) == sorted([META, record.file.blob])
    assert (folder / record.file.blob).read_bytes() == b"# Notes\nAlmaty hosted CASIE 2022."


def test_update_replaces_the_original_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = DocumentStore.for_index(tmp_path)
    store.put(DOC, b"first", "notes.md")
    changed = Document("notes.md", "Notes", "notes.md", "en", "Shorter.")
    record = store.put(changed, b"second", "notes.md")
    folder = tmp_path / "documents" / "notes.md"
    assert record.file is not None
    assert sorted(p.name for p in folder.iterdir()) == sorted([META, record.file.blob])
    assert DocumentStore.for_index(tmp_path).documents() == [changed]


def test_delete_leaves_a_tombstone_that_survives_a_restart(tmp_path: Path) -> None:
    store = DocumentStore.for_index(tmp_path)
    store.put(DOC, b"data", "notes.md")
    store.delete("notes.md")
    store.delete("corpus-file.txt")
    reopened = DocumentStore.for_index(tmp_path)
    assert reopened.documents() == []
    assert reopened.deleted_ids() == {"notes.md", "corpus-file.txt"}
    assert [p.name for p in (tmp_path / "documents" / "notes.md").iterdir()] == [META]
    reopened.put(DOC, b"data", "notes.md")
    assert reopened.deleted_ids() == {"corpus-file.txt"}


def test_unsafe_ids_never_become_paths(tmp_path: Path) -> None:
    store = DocumentStore.for_index(tmp_path)
    for doc_id in ("../../etc/passwd", "..", ".", "a/b", "UPPER", "x" * 300):
        store.put(Document(doc_id, "t", "s", "en", "text"), b"text", "upload.txt")
        assert store.get(doc_id) is not None
    inside = {p.resolve() for p in (tmp_path / "documents").iterdir()}
    assert all(p.parent == (tmp_path / "documents").resolve() for p in inside)
    assert len(inside) == 6
    assert not (tmp_path.parent / "etc").exists()


def test_unreadable_record_is_skipped(tmp_path: Path) -> None:
    store = DocumentStore.for_index(tmp_path)
    store.put(DOC, b"data", "notes.md")
    broken = tmp_path / "documents" / "broken.txt"
    broken.mkdir()
    (broken / META).write_text("{half written")
    assert store.documents() == [DOC]
    assert store.get("broken.txt") is None
