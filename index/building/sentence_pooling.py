"""Chunk vectors and, from the same forward passes, the vectors of the chunks' sentences.

A sentence's vector is the mean of its tokens' vectors in the pass over the first chunk
that holds it (read with its title and neighbours, as in "late chunking"), instead of a
pass of its own: the main embedder then reads each text once, not twice. On the 2,000
SQuAD v1.1 benchmark questions (SQuAD dev's 1,827 paragraphs, 9,102 sentences),
answer_contains was 0.8295 against 0.830 with sentences embedded on their own, hit@5 0.972
against 0.9745, MRR@10 0.928 against 0.928, citation_support 0.885 against 0.887. A
sentence no pass reads whole (past the model's length) is embedded on its own.

The multilingual embedder's sentence vectors keep a pass of their own: pooled the same way
from multilingual-e5's chunk passes, the 150 translated Russian questions lost hit@5
0.873 -> 0.800, MRR@10 0.772 -> 0.719 and answer_contains 0.640 -> 0.627 (the Kazakh ones
went 0.753 -> 0.747, 0.635 -> 0.661, 0.540 -> 0.573).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from index.embedders.base import SpanEmbedder, Vectors

SentenceSpan = tuple[int, int, int]
"""A sentence in a chunk: its index among the sentences embedded, and its `[start, end)`
characters in the chunk's text."""


def chunks_and_sentences(
    embedder: SpanEmbedder,
    chunk_texts: Sequence[str],
    chunk_sentences: Sequence[Sequence[SentenceSpan]],
    sentence_texts: Sequence[str],
    embed_alone: Callable[[Sequence[str]], Vectors],
) -> tuple[Vectors, Vectors]:
    """The chunk vectors, and one vector per sentence text: pooled from the first chunk
    pass that reads it whole, else `embed_alone` of its text."""
    spans = [[(start, end) for _, start, end in sentences] for sentences in chunk_sentences]
    chunk_vectors, pooled = embedder.embed_documents_with_spans(chunk_texts, spans)
    sentence_vectors = np.zeros((len(sentence_texts), embedder.dim), dtype=np.float32)
    found = np.zeros(len(sentence_texts), dtype=bool)
    for sentences, vectors in zip(chunk_sentences, pooled, strict=True):
        for (sentence, _, _), vector in zip(sentences, vectors, strict=True):
            if not found[sentence] and vector.any():
                sentence_vectors[sentence] = vector
                found[sentence] = True
    alone = np.flatnonzero(~found)
    if len(alone):
        sentence_vectors[alone] = embed_alone([sentence_texts[int(i)] for i in alone])
    return chunk_vectors, sentence_vectors
