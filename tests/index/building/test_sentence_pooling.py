"""Sentence vectors pooled from the chunk passes, with the real MiniLM embedder."""

from __future__ import annotations

import numpy as np

from index.building.sentence_pooling import chunks_and_sentences
from index.embedders.base import Embedder, SpanEmbedder
from index.embedders.token_vectors import span_means_of

SENTENCES = [
    "The symposium was held in Almaty.",
    "Ms. Li Fan presented the International Institute of Online Education.",
    "A regional event on digital education follows in November.",
]
TITLE = "CASIE 2022\n"


def test_a_span_is_the_mean_of_the_token_vectors_inside_it() -> None:
    hidden = np.arange(12, dtype=np.float32).reshape(4, 3)
    offsets = [(0, 0), (0, 3), (4, 9), (0, 0)]  # [CLS] "The" "cat's" [SEP]
    special = [1, 0, 0, 1]
    means = span_means_of(hidden, offsets, special, [(0, 9), (4, 9), (0, 3), (5, 20)])
    np.testing.assert_allclose(means[0], hidden[1:3].mean(axis=0))
    np.testing.assert_allclose(means[1], hidden[2])
    np.testing.assert_allclose(means[2], hidden[1])
    assert not means[3].any()  # past the last token read: not read whole


def test_sentences_pooled_from_their_chunk_stay_close_to_their_own_vectors(
    embedder: Embedder,
) -> None:
    assert isinstance(embedder, SpanEmbedder)
    chunk = TITLE + " ".join(SENTENCES)
    spans, at = [], len(TITLE)
    for i, sentence in enumerate(SENTENCES):
        spans.append((i, at, at + len(sentence)))
        at += len(sentence) + 1
    texts = [TITLE + s for s in SENTENCES]
    chunks, sentences = chunks_and_sentences(
        embedder, [chunk], [spans], texts, embedder.embed_documents
    )
    np.testing.assert_allclose(chunks, embedder.embed_documents([chunk]), atol=1e-4)
    similarity = (sentences * embedder.embed_documents(texts)).sum(axis=1)
    assert similarity.min() > 0.6, similarity
    # each pooled sentence is nearer its own vector than the other sentences'
    cross = sentences @ embedder.embed_documents(texts).T
    assert (cross.argmax(axis=1) == np.arange(len(SENTENCES))).all(), cross


def test_a_sentence_past_the_models_length_is_embedded_on_its_own(embedder: Embedder) -> None:
    assert isinstance(embedder, SpanEmbedder)
    filler = "word " * 400  # far past MiniLM's 256 tokens
    last = "The symposium was held in Almaty."
    chunk = filler + last
    spans = [(0, 0, len(filler) - 1), (1, len(filler), len(chunk))]
    texts = [filler.strip(), last]
    _, sentences = chunks_and_sentences(embedder, [chunk], [spans], texts, embedder.embed_documents)
    # its own vector (batched with other lengths: equal up to the document precision)
    assert float(sentences[1] @ embedder.embed_documents([last])[0]) > 0.999
    assert abs(float(np.linalg.norm(sentences[0])) - 1) < 1e-4
