"""What chunk retrieval reads of a chunk: its document's title, then its text."""

from __future__ import annotations

import numpy as np

from index.building.encode import (
    MULTILINGUAL_SENTENCE_VECTORS,
    SENTENCE_VECTORS,
    Encoder,
    embed,
    titled,
)
from index.embedders.base import Embedder, SpanEmbedder
from index.text.chunking import SentenceChunker
from index.types import Document


def document(title: str) -> Document:
    return Document("rovers", title, "rovers.txt", "en", "Kestrel Rovers won. The club won.")


def test_the_title_comes_first() -> None:
    assert titled(document("Kestrel Rovers"), "The club won.") == "Kestrel Rovers\nThe club won."


def test_a_chunk_that_opens_with_its_title_or_a_document_without_one_is_left_alone() -> None:
    assert titled(document("Kestrel Rovers"), "Kestrel Rovers won.") == "Kestrel Rovers won."
    assert titled(document("  "), "The club won.") == "The club won."


def test_the_main_sentence_vectors_are_read_in_their_titled_chunk_the_multilingual_alone(
    embedder: Embedder, multilingual_embedder: Embedder
) -> None:
    doc = document("Kestrel Rovers")
    [encoded] = Encoder(embedder, SentenceChunker(), multilingual_embedder).encode([doc])
    sentences = [doc.text[start:end] for start, end in encoded.sentences]
    assert sentences == ["Kestrel Rovers won.", "The club won."]
    # One chunk, which opens with the title, so it is read as it is; its sentences are
    # pooled from that pass (index.building.sentence_pooling).
    assert isinstance(embedder, SpanEmbedder)
    _, [main] = embedder.embed_documents_with_spans([doc.text], [encoded.sentences])
    untitled = embed(multilingual_embedder, sentences)
    np.testing.assert_allclose(encoded.vectors[SENTENCE_VECTORS], main, atol=1e-5)
    np.testing.assert_allclose(encoded.vectors[MULTILINGUAL_SENTENCE_VECTORS], untitled, atol=1e-5)
    # "The club" was read after "Kestrel Rovers won.", not alone
    assert not np.allclose(main[1], embed(embedder, ["The club won."])[0], atol=1e-3)


class OwnPassEmbedder:
    """The real embedder, saying it cannot pool spans (as a CLS-pooling model would)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id, self.dim = inner.model_id, inner.dim
        self.embed_documents, self.embed_queries = inner.embed_documents, inner.embed_queries
        self.prepare_queries = inner.prepare_queries
        self.pools_spans = False

    def embed_documents_with_spans(self, *_: object) -> tuple[object, object]:
        raise AssertionError("a model that cannot pool spans is not asked to")


def test_a_model_that_cannot_pool_spans_reads_each_sentence_alone(embedder: Embedder) -> None:
    doc = document("Kestrel Rovers")
    own = OwnPassEmbedder(embedder)
    [encoded] = Encoder(own, SentenceChunker()).encode([doc])
    titled_sentences = ["Kestrel Rovers won.", "Kestrel Rovers\nThe club won."]
    np.testing.assert_allclose(
        encoded.vectors[SENTENCE_VECTORS], embed(embedder, titled_sentences), atol=1e-5
    )
