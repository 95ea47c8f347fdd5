"""Question terms against the keyword index: overlap with sentences."""

from __future__ import annotations

from index.stores.keyword import BM25Index
from qa.rerank.lexical import overlap_scores
from tests.qa.conftest import TWO_TEXTS


def test_overlap_counts_each_question_term_once_by_its_idf(two_text_keyword: BM25Index) -> None:
    keyword = two_text_keyword
    terms = [frozenset(keyword.tokenize([text])[0]) for text in TWO_TEXTS]
    held, center = overlap_scores(keyword, "Where was the symposium held? Symposium!", terms)
    assert held > 0.0
    assert center == 0.0
