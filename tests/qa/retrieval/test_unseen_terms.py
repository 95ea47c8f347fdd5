"""The question's terms the keyword index lacks (over tests.qa.conftest.TWO_TEXTS)."""

from __future__ import annotations

from index.stores.keyword import BM25Index
from qa.retrieval.unseen_terms import unseen_terms


def test_function_words_the_corpus_lacks_are_not_unseen_terms(
    two_text_keyword: BM25Index,
) -> None:
    """Neither text says "what", "when", "did" or "does"; a question is not about them."""
    question = "When did the symposium take place, and what does it do?"
    assert unseen_terms(two_text_keyword, question) == ["place", "take"]


def test_content_words_and_numbers_the_corpus_lacks_are_unseen(
    two_text_keyword: BM25Index,
) -> None:
    question = "What was the budget of the 2023 symposium?"
    assert unseen_terms(two_text_keyword, question) == ["2023", "budget"]
    assert unseen_terms(two_text_keyword, "Where was CASIE 2022 held?") == []
