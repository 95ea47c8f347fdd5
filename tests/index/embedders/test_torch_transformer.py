"""Documents embedded by torch in float32 are sentence-transformers' own vectors; in
bfloat16 they stay close to them, for whole texts and for sentence spans."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.embedders import (
    E5_ID,
    MINILM_ID,
    E5Embedder,
    SentenceTransformerEmbedder,
    document_precision,
    normalise,
)
from index.embedders.sentence_transformers import resolve_model_path
from index.embedders.token_vectors import read_layout
from index.embedders.torch_transformer import TorchSentenceEncoder
from index.runtime.precision import Precision, Resolved, resolve_precision

TEXTS = [
    "The CASIE 2022 symposium was held in Almaty, Kazakhstan.",
    "  Симпозиум прошёл в Алматы. Его открыл ректор университета.",
    "CASIE 2022 симпозиумы Алматыда өтті.",
    " ".join(["Ms. Li Fan presented the International Institute of Online Education."] * 6),
]


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(MINILM_ID, precision="float32")


def torch_encoder(minilm: SentenceTransformerEmbedder, precision: Resolved) -> TorchSentenceEncoder:
    import torch

    layout = read_layout(Path(resolve_model_path(MINILM_ID)))
    assert layout is not None
    transformer = minilm.model[0].auto_model
    assert isinstance(transformer, torch.nn.Module)
    return TorchSentenceEncoder(transformer, layout, precision)


def test_float32_vectors_are_sentence_transformers_vectors(
    minilm: SentenceTransformerEmbedder,
) -> None:
    vectors = normalise(torch_encoder(minilm, "float32").encode(TEXTS))
    expected = minilm.model.encode(TEXTS, normalize_embeddings=True)
    np.testing.assert_allclose(vectors, expected, atol=1e-5)


def test_bfloat16_vectors_stay_close_and_leave_the_float32_model_alone(
    minilm: SentenceTransformerEmbedder,
) -> None:
    import torch

    encoder = torch_encoder(minilm, "bfloat16")
    text = TEXTS[1]
    first = text.index("Его")
    spans = [[(2, first - 1), (first, len(text))]]
    whole, parts = encoder.encode_with_spans([text], spans)
    reference, reference_parts = torch_encoder(minilm, "float32").encode_with_spans([text], spans)
    cosine = float(normalise(whole)[0] @ normalise(reference)[0])
    assert cosine > 0.995, cosine
    part_cosines = (normalise(parts[0]) * normalise(reference_parts[0])).sum(axis=1)
    assert part_cosines.min() > 0.99, part_cosines
    assert whole.dtype == np.float32
    # the embedder's own model (questions' fallback, the export) stays in float32
    assert next(minilm.model.parameters()).dtype == torch.float32


def test_the_embedder_embeds_documents_in_the_precision_asked_for() -> None:
    bf16 = SentenceTransformerEmbedder(MINILM_ID, precision="bfloat16")
    fp32 = SentenceTransformerEmbedder(MINILM_ID, precision="float32")
    assert (bf16.document_precision, fp32.document_precision) == ("bfloat16", "float32")
    cosines = (bf16.embed_documents(TEXTS) * fp32.embed_documents(TEXTS)).sum(axis=1)
    assert cosines.min() > 0.995, cosines
    assert not np.array_equal(bf16.embed_documents(TEXTS), fp32.embed_documents(TEXTS))


def test_each_model_says_what_it_embeds_documents_in() -> None:
    """multilingual-e5 stays float32 under "auto" (it moved Russian answers too much)."""
    assert document_precision(E5_ID, "auto") == "float32"
    assert document_precision(E5_ID, "bfloat16") == "bfloat16"
    assert document_precision(MINILM_ID, "auto") == resolve_precision("auto")
    precisions: list[Precision] = ["auto", "float32", "bfloat16"]
    for precision in precisions:
        e5 = E5Embedder(precision=precision)
        minilm = SentenceTransformerEmbedder(MINILM_ID, precision=precision)
        assert e5.document_precision == document_precision(E5_ID, precision)
        assert minilm.document_precision == document_precision(MINILM_ID, precision)
