"""Both embedders cut long inputs into forward batches; the vectors must not depend on it."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedders import Embedder
from index.embedders.e5 import E5_BATCH
from index.embedders.sentence_transformers import FORWARD_BATCH

pytestmark = pytest.mark.slow  # the session's real embedders, by fixture name

TOPICS = [
    "The symposium in Almaty discussed online education",
    "Kazakhstan hosted delegations from five countries",
    "Teachers learned to build digital courses",
    "A national center for online learning is planned in Uzbekistan",
    "The weather in the mountains changed quickly",
]
# Distinct texts of very different lengths, more than one forward batch of either embedder.
TEXTS = [
    " ".join([TOPICS[i % len(TOPICS)]] * (1 + i % 4)) + f", part {i}."
    for i in range(max(E5_BATCH, FORWARD_BATCH) + 3)
]


@pytest.mark.parametrize("name", ["embedder", "multilingual_embedder"])
def test_batched_vectors_equal_one_text_at_a_time(
    name: str, request: pytest.FixtureRequest
) -> None:
    model: Embedder = request.getfixturevalue(name)
    batched = model.embed_documents(TEXTS)
    single = np.stack([model.embed_documents([text])[0] for text in TEXTS])
    assert batched.shape == (len(TEXTS), model.dim)
    assert batched.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    # Same rows in the same order (padding changes float rounding, nothing more); rows of
    # other texts are far apart, so a shuffled batch would fail.
    assert np.all(np.sum(batched[:-1] * single[1:], axis=1) < 0.99)
    assert np.all(np.sum(batched * single, axis=1) > 0.999)
