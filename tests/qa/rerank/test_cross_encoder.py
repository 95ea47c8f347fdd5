"""The ms-marco cross-encoder: relevance order, and batching that changes only the speed."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from qa.rerank.cross_encoder import CrossEncoder, similar_length_batches

QUESTION = "In which city was the CASIE 2022 symposium held?"
PASSAGES = [
    "The weather was fine.",
    "CASIE 2022 was organized by the UNESCO Almaty Cluster Office in Almaty, Kazakhstan.",
    "Ms. Li Fan gave a detailed introduction of IIOE, including its hardware and software "
    "support, partnership network, and a series of collaborative projects with universities "
    "in Central Asia, Africa and the Asia-Pacific region over the last three years.",
    "Delegations came from five countries.",
    " ".join(["The symposium discussed digital skills for teachers."] * 12),
]


@pytest.fixture(scope="module")
def cross_encoder() -> CrossEncoder:
    return CrossEncoder()


def test_the_sentence_that_answers_scores_highest(cross_encoder: CrossEncoder) -> None:
    logits = cross_encoder.score(QUESTION, PASSAGES)
    assert logits.shape == (len(PASSAGES),)
    assert int(np.argmax(logits)) == 1
    assert cross_encoder.score(QUESTION, []).shape == (0,)


def test_logits_do_not_depend_on_how_pairs_are_batched(cross_encoder: CrossEncoder) -> None:
    one_by_one = np.array([cross_encoder.score(QUESTION, [p])[0] for p in PASSAGES])
    padded = CrossEncoder(max_padding=float("inf")).score(QUESTION, PASSAGES)
    default = cross_encoder.score(QUESTION, PASSAGES)
    # Dynamic int8 quantization scales each batch by its own range, so batching may move a
    # logit by a few percent; the order of the passages must not change.
    np.testing.assert_allclose(default, one_by_one, rtol=0.05, atol=0.1)
    np.testing.assert_allclose(padded, one_by_one, rtol=0.05, atol=0.1)
    assert list(np.argsort(default)) == list(np.argsort(one_by_one))


@pytest.mark.parametrize("max_padding", [0.0, 0.25, 1.0])
def test_batches_hold_similar_lengths(max_padding: float) -> None:
    lengths = [12, 40, 41, 43, 90, 13, 44, 200, 12, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55]
    batches = similar_length_batches(lengths, 16, max_padding)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert 1 <= len(batch) <= 16
        real = sum(lengths[i] for i in batch)
        assert len(batch) * max(lengths[i] for i in batch) <= (1 + max_padding) * real
    # Shortest first: each batch starts no shorter than the previous one ends.
    ends = [(lengths[b[0]], lengths[b[-1]]) for b in batches]
    assert all(prev[1] <= nxt[0] for prev, nxt in itertools.pairwise(ends))
    if max_padding == 0.0:  # only equal lengths may share a batch
        assert all(len({lengths[i] for i in batch}) == 1 for batch in batches)


def test_a_batch_is_capped_at_its_size() -> None:
    batches = similar_length_batches([50] * 40, 16, 0.25)
    assert [len(b) for b in batches] == [16, 16, 8]


def test_a_call_made_alone_runs_on_the_spinning_session_with_the_same_logits(
    cross_encoder: CrossEncoder,
) -> None:
    before = cross_encoder.runs.copy()
    shared = cross_encoder.score(QUESTION, PASSAGES)
    alone = cross_encoder.score(QUESTION, PASSAGES, alone=True)
    np.testing.assert_allclose(alone, shared, rtol=1e-5, atol=1e-5)
    runs = cross_encoder.runs - before
    assert runs["alone"] == runs["shared"] >= 1


@pytest.mark.parametrize(
    "question",
    [
        " ".join([QUESTION] * 80),  # about 1,000 tokens, far beyond the 256 of a pair
        "😀" * 4000,
        "Где прошёл симпозиум? " * 180,
    ],
)
def test_a_question_longer_than_the_model_reads_is_cut_not_refused(
    cross_encoder: CrossEncoder, question: str
) -> None:
    logits = cross_encoder.score(question, PASSAGES)
    assert logits.shape == (len(PASSAGES),)
    assert np.all(np.isfinite(logits))
    assert (
        max(cross_encoder.count_tokens(question, p) for p in PASSAGES) <= cross_encoder.max_length
    )
