"""The BM25 keyword index."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.stores.keyword import ENGLISH_ONLY, ENGLISH_RUSSIAN, BM25Index, tokenize


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


def test_russian_words_match_their_inflected_forms() -> None:
    index = BM25Index.build(["Симпозиум прошёл в Алматы.", "Участники обсудили политику."])
    assert list(index.search("Где проходил симпозиуме в Алматы?", 2)[1]) == [0, -1]
    assert index.document_frequencies(index.tokenize(["симпозиума"])[0]) == [1]


def test_english_tokens_stay_as_they_were() -> None:
    text = "The symposiums were running in Almaty; café Müller and Никола Тесла."
    assert tokenize([text])[0][:-2] == tokenize([text], ENGLISH_ONLY)[0][:-2]
    assert tokenize([text])[0][-2:] == ["никол", "тесл"]


def test_an_index_saved_before_russian_stemming_keeps_tokenizing_as_it_was_built(
    tmp_path: Path,
) -> None:
    index = BM25Index.build(["Symposium in Almaty."])
    index.save(tmp_path / "bm25")
    assert BM25Index.load(tmp_path / "bm25").tokenizer == ENGLISH_RUSSIAN
    (tmp_path / "bm25" / "tokenizer").unlink()  # as written before the marker existed
    legacy = BM25Index.load(tmp_path / "bm25")
    assert legacy.tokenizer == ENGLISH_ONLY
    assert legacy.tokenize(["Когда прошёл симпозиум?"]) == [["когда", "прошёл", "симпозиум"]]
    (tmp_path / "bm25" / "tokenizer").write_text("klingon")
    with pytest.raises(ValueError, match="unknown keyword tokenizer"):
        BM25Index.load(tmp_path / "bm25")
