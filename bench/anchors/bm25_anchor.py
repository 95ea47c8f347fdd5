"""BM25 with bm25s as its README shows it: English stop words, Snowball stemmer."""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import Stemmer

from bench.anchors.base import AnchorChunk


class BM25Anchor:
    name = "BM25 (bm25s)"

    def __init__(self, chunks: Sequence[AnchorChunk]) -> None:
        self.chunks = list(chunks)
        self.stemmer = Stemmer.Stemmer("english")
        tokens = bm25s.tokenize(
            [c.text for c in self.chunks], stopwords="en", stemmer=self.stemmer, show_progress=False
        )
        self.retriever = bm25s.BM25()
        self.retriever.index(tokens, show_progress=False)

    def search(self, query: str, k: int) -> list[AnchorChunk]:
        tokens = bm25s.tokenize(query, stopwords="en", stemmer=self.stemmer, show_progress=False)
        if not tokens.vocab:
            return []
        ids, _ = self.retriever.retrieve(tokens, k=min(k, len(self.chunks)), show_progress=False)
        return [self.chunks[int(i)] for i in ids[0]]
