"""IDF-weighted overlap of question terms with a sentence (the keyword index's tokens)."""

from __future__ import annotations

from collections.abc import Sequence

from index.keyword import BM25Index, tokenize


def overlap_scores(keyword: BM25Index, question: str, sentences: Sequence[str]) -> list[float]:
    """Sum of the idf of the question's distinct terms found in each sentence."""
    terms = sorted(set(tokenize([question])[0]))
    weights = dict(zip(terms, keyword.idf(terms), strict=True))
    return [sum(weights[t] for t in set(tokens) if t in weights) for tokens in tokenize(sentences)]
