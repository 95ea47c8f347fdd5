"""IDF-weighted overlap of question terms with a sentence (the keyword index's tokens)."""

from __future__ import annotations

from collections.abc import Sequence

from index.stores.keyword import BM25Index


def overlap_scores(
    keyword: BM25Index, question: str, sentence_terms: Sequence[frozenset[str]]
) -> list[float]:
    """Sum of the idf of the question's distinct terms found in each sentence."""
    terms = sorted(set(keyword.tokenize([question])[0]))
    weights = dict(zip(terms, keyword.idf(terms), strict=True))
    return [sum(w for t, w in weights.items() if t in tokens) for tokens in sentence_terms]
