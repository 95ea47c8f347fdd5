"""The question's terms the corpus lacks: a sign that the documents cannot answer it, and
the words the spelling correction tries."""

from __future__ import annotations

import re

from index.stores.keyword import BM25Index
from index.text.language import stopwords

_TOKEN = re.compile(r"\w+(?:['’]\w+)*")
_FUNCTION_WORDS = stopwords("en")


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
