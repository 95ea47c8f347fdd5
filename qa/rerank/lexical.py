"""IDF-weighted overlap of question terms with a sentence (the keyword index's tokens)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.keyword import BM25Index
from index.language import stopwords

_TOKEN = re.compile(r"\w+(?:['’]\w+)*")
_FUNCTION_WORDS = stopwords("en")


def overlap_scores(
    keyword: BM25Index, question: str, sentence_terms: Sequence[frozenset[str]]
) -> list[float]:
    """Sum of the idf of the question's distinct terms found in each sentence."""
    terms = sorted(set(keyword.tokenize([question])[0]))
    weights = dict(zip(terms, keyword.idf(terms), strict=True))
    return [sum(w for t, w in weights.items() if t in tokens) for tokens in sentence_terms]


def unseen_terms(keyword: BM25Index, question: str) -> list[str]:
    """The question's content terms that occur nowhere in the indexed chunks.

    English function words ("what", "did", "does") are left out: the keyword index keeps
    most of them, and a small corpus lacks them whether or not it holds the answer. The
    English list is the one that applies: a question in another language takes the
    multilingual path, which skips this test.
    """
    content = " ".join(w for w in _TOKEN.findall(question) if w.lower() not in _FUNCTION_WORDS)
    terms = sorted(set(keyword.tokenize([content])[0]))
    return [t for t, idf in zip(terms, keyword.idf(terms), strict=True) if idf == 0.0]
