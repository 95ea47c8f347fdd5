"""Question terms against the keyword index: overlap with sentences."""

from __future__ import annotations

import pytest

from index.keyword import BM25Index
from qa.rerank.lexical import overlap_scores

TEXTS = [
    "The CASIE 2022 symposium was held in Almaty under the auspices of UNESCO.",
    "UNESCO-ICHEI plans a national center for online education in Uzbekistan.",
]


@pytest.fixture(scope="module")
def keyword() -> BM25Index:
    return BM25Index.build(TEXTS)


def test_overlap_counts_each_question_term_once_by_its_idf(keyword: BM25Index) -> None:
    terms = [frozenset(keyword.tokenize([text])[0]) for text in TEXTS]
    held, center = overlap_scores(keyword, "Where was the symposium held? Symposium!", terms)
    assert held > 0.0
    assert center == 0.0
