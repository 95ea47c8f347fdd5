"""Document ids: readable in any script, as before for Latin names, unique in a corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.documents.corpus import load_corpus
from index.loaders.doc_ids import make_doc_id, unique_doc_ids
from index.settings import IndexSettings


@pytest.mark.parametrize(
    ("name", "doc_id"),
    [
        ("../../etc/passwd", "etc--passwd"),
        ("sub/dir/File Name.md", "sub--dir--file-name.md"),
        ("Kraków.md", "krakow.md"),
        ("Don’t panic.md", "dont-panic.md"),
        ("ﬁle①.md", "file1.md"),
        ("Отчёт 2022.pdf", "отчёт-2022.pdf"),
        ("Қазақстан Республикасы.txt", "қазақстан-республикасы.txt"),
        ("и\u0306од.txt", "йод.txt"),  # composed first: the letter й, not и with a mark
        ("???", "document"),
    ],
)
def test_ids_keep_letters_of_any_script(name: str, doc_id: str) -> None:
    assert make_doc_id(name) == doc_id


def test_names_sharing_an_id_are_told_apart_by_a_hash() -> None:
    ids = unique_doc_ids(["a b.md", "a-b.md", "A B.md", "other.md"])
    assert ids["a-b.md"] == "a-b.md"  # its own id: kept
    assert ids["other.md"] == "other.md"
    assert ids["a b.md"].startswith("a-b.md~")
    assert ids["A B.md"].startswith("a-b.md~")
    assert len(set(ids.values())) == 4
    assert unique_doc_ids(["A B.md", "a b.md"]) == {
        "A B.md": ids["A B.md"],
        "a b.md": ids["a b.md"],
    }  # each name's id depends only on the names it shares it with


def test_a_corpus_of_cyrillic_file_names_keeps_every_file(tmp_path: Path) -> None:
    names = ["Отчёт 2022.txt", "Доклад 2022.txt", "Есеп 2022.txt", "a b.txt", "a-b.txt"]
    for number, name in enumerate(names):
        (tmp_path / name).write_text(f"Document number {number} of the corpus.\n", "utf-8")
    documents, skipped = load_corpus(IndexSettings(corpus_dir=tmp_path))
    assert not skipped
    assert len({d.doc_id for d in documents}) == len(names)
    by_source = {d.source: d.doc_id for d in documents}
    assert by_source["Отчёт 2022.txt"] == "отчёт-2022.txt"
    assert by_source["Есеп 2022.txt"] == "есеп-2022.txt"
    assert by_source["a-b.txt"] == "a-b.txt"
