"""BM25 with bm25s as its README shows it: English stop words, Snowball stemmer.

`language="russian"` takes bm25s's Russian stop words and Snowball's Russian stemmer
instead, what a user indexing Russian text would set (Snowball has no Kazakh stemmer).
"""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import Stemmer

from bench.anchors.base import AnchorChunk

STOPWORDS = {"english": "en", "russian": "ru"}


class BM25Anchor:
    name = "BM25 (bm25s)"

    def __init__(self, chunks: Sequence[AnchorChunk], language: str = "english") -> None:
        self.chunks = list(chunks)
        self.stemmer = Stemmer.Stemmer(language)
        self.stopwords = STOPWORDS[language]
        tokens = bm25s.tokenize(
            [c.text for c in self.chunks],
            stopwords=self.stopwords,
            stemmer=self.stemmer,
            show_progress=False,
        )
        self.retriever = bm25s.BM25()
        self.retriever.index(tokens, show_progress=False)

    def search(self, query: str, k: int) -> list[AnchorChunk]:
        tokens = bm25s.tokenize(
            query, stopwords=self.stopwords, stemmer=self.stemmer, show_progress=False
        )
        if not tokens.vocab:
            return []
        ids, _ = self.retriever.retrieve(tokens, k=min(k, len(self.chunks)), show_progress=False)
        return [self.chunks[int(i)] for i in ids[0]]
