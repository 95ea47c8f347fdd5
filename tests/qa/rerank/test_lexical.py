"""Question terms against the keyword index: overlap with sentences, and terms it lacks."""

from __future__ import annotations

import pytest

from index.keyword import BM25Index
from qa.rerank.lexical import overlap_scores, unseen_terms

TEXTS = [
    "The CASIE 2022 symposium was held in Almaty under the auspices of UNESCO.",
    "UNESCO-ICHEI plans a national center for online education in Uzbekistan.",
]


@pytest.fixture(scope="module")
def keyword() -> BM25Index:
    return BM25Index.build(TEXTS)


def test_function_words_the_corpus_lacks_are_not_unseen_terms(keyword: BM25Index) -> None:
    """Neither text says "what", "when", "did" or "does"; a question is not about them."""
    assert unseen_terms(keyword, "When did the symposium take place, and what does it do?") == [
        "place",
        "take",
    ]


def test_content_words_and_numbers_the_corpus_lacks_are_unseen(keyword: BM25Index) -> None:
    assert unseen_terms(keyword, "What was the budget of the 2023 symposium?") == [
        "2023",
        "budget",
    ]
    assert unseen_terms(keyword, "Where was CASIE 2022 held?") == []


def test_overlap_counts_each_question_term_once_by_its_idf(keyword: BM25Index) -> None:
    terms = [frozenset(keyword.tokenize([text])[0]) for text in TEXTS]
    held, center = overlap_scores(keyword, "Where was the symposium held? Symposium!", terms)
    assert held > 0.0
    assert center == 0.0
