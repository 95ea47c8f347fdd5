"""Typos corrected against the words of the corpus, and nothing else changed."""

from __future__ import annotations

import pytest

from index.stores.keyword import BM25Index
from qa.retrieval.spelling import correct_spelling as correct_with
from qa.retrieval.unseen_terms import unseen_terms

TEXTS = [
    "The CASIE 2022 symposium was held in Almaty under the auspices of UNESCO.",
    "UNESCO-ICHEI plans a national center for online education in Uzbekistan.",
    "The symposium discussed digital skills for teachers and university rectors.",
    "The army stored gunpowder in the fortress.",
    "Симпозиум прошёл в Алматы, его открыл министр образования.",
]


@pytest.fixture(scope="module")
def keyword() -> BM25Index:
    return BM25Index.build(TEXTS)


def correct_spelling(keyword: BM25Index, question: str) -> str:
    """As the pipeline calls it: with the question's terms the corpus lacks."""
    return correct_with(keyword, question, unseen_terms(keyword, question))


@pytest.mark.parametrize(
    ("question", "corrected"),
    [
        ("Where was the sympsoium held?", "Where was the symposium held?"),  # swap
        ("Who opened the symposum?", "Who opened the symposium?"),  # deletion
        ("Was the symposium held in Almatty?", "Was the symposium held in Almaty?"),  # insert
        ("What did UNESKO plan?", "What did UNESCO plan?"),  # replacement, case kept
        ("Who came to CASEI 2022?", "Who came to CASIE 2022?"),  # not "CASI": same stem
        ("Где прошёл симпозуим?", "Где прошёл симпозиум?"),  # Cyrillic
        ("Кто открыл симпозиум в Алмтаы?", "Кто открыл симпозиум в Алматы?"),
    ],
)
def test_a_word_one_edit_from_a_corpus_word_is_corrected(
    keyword: BM25Index, question: str, corrected: str
) -> None:
    assert correct_spelling(keyword, question) == corrected


@pytest.mark.parametrize(
    "question",
    [
        "Where was the symposium held?",  # every word is in the corpus
        "Who saw the ALMT?",  # shorter than five letters
        "How much powder was stored?",  # an English word, though the corpus lacks it
        "What was the budget of the qwertyuiop?",  # nothing in the corpus is near
        "Wer hat das Symposium 2022 eröffnet?",  # letters of no single alphabet
    ],
)
def test_other_words_are_left_alone(keyword: BM25Index, question: str) -> None:
    assert correct_spelling(keyword, question) == question


def test_among_several_corrections_the_word_in_most_chunks_wins() -> None:
    keyword = BM25Index.build(["The rector spoke.", "A vector space.", "The rector left."])
    assert correct_spelling(keyword, "Who is the xector?") == "Who is the rector?"


def test_an_index_without_words_changes_nothing() -> None:
    keyword = BM25Index.build(["!!!", " "])
    assert correct_spelling(keyword, "Where was the sympsoium?") == "Where was the sympsoium?"


def test_only_the_first_words_are_tried(keyword: BM25Index) -> None:
    """A long question of unknown words costs a bounded number of tries."""
    gibberish = " ".join(["qwertyuiop"] * 500) + " sympsoium"
    assert correct_spelling(keyword, gibberish) == gibberish
    assert correct_spelling(keyword, "qwertyuiop sympsoium") == "qwertyuiop symposium"


def test_a_word_too_long_to_be_a_typo_is_left_alone(keyword: BM25Index) -> None:
    """Its one-edit variants would number in the millions (a 4,000-letter "word")."""
    word = "symposium" * 400
    assert correct_spelling(keyword, f"Who opened the {word}?") == f"Who opened the {word}?"
