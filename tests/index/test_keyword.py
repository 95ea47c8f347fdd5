"""The BM25 keyword index."""

from __future__ import annotations

from pathlib import Path

from index.keyword import BM25Index


def test_the_best_matching_chunk_comes_first_and_survives_save_and_load(tmp_path: Path) -> None:
    index = BM25Index.build(["The symposium was held in Almaty.", "IIOE is an online institute."])
    assert list(index.search("Where was the symposium?", 2)[1]) == [0, -1]
    index.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    assert len(loaded) == 2
    assert list(loaded.search("online institute", 2)[1]) == [1, -1]


def test_texts_without_a_single_word_give_an_index_that_finds_nothing(tmp_path: Path) -> None:
    index = BM25Index.build(["!!!", "the and of", " "])
    assert len(index) == 3
    assert list(index.search("the symposium", 3)[1]) == [-1, -1, -1]
    assert index.idf(["symposium"]) == [0.0]
    index.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    assert len(loaded) == 3
    assert list(loaded.search("anything", 2)[1]) == [-1, -1]


def test_document_frequencies_count_the_chunks_holding_each_stem() -> None:
    index = BM25Index.build(["The symposium opened.", "Symposiums closed.", "Teachers met."])
    assert index.document_frequencies(["symposium", "teacher", "absent", ""]) == [2, 1, 0, 0]
    assert index.idf(["absent"]) == [0.0]
    assert index.idf(["teacher"])[0] > index.idf(["symposium"])[0] > 0
