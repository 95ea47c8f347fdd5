"""The question's terms the keyword index lacks."""

from __future__ import annotations

import pytest

from index.keyword import BM25Index
from qa.retrieval.unseen_terms import unseen_terms

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
