"""Decoding the answer span from start and end logits."""

from __future__ import annotations

import numpy as np
import pytest

from qa.reader.pairs import EncodedPair
from qa.reader.reader import MAX_SPAN_TOKENS, best_span


def _pair(tokens: int) -> EncodedPair:
    # <s> q </s> then the sentence's tokens from position 3, each reading 4 characters
    offsets = [(4 * i, 4 * i + 4) for i in range(tokens)]
    return EncodedPair(ids=[0] * (3 + tokens + 1), sentence_start=3, offsets=offsets)


def test_the_best_start_and_end_become_characters() -> None:
    pair = _pair(6)
    start = np.zeros(10)
    end = np.zeros(10)
    start[3 + 2], end[3 + 4] = 5.0, 6.0
    span = best_span(pair, start, end)
    assert span is not None
    assert (span.start, span.end) == (8, 20)
    assert span.mass > 0.99  # every other span is e^5 or more below it


def test_the_mass_is_the_share_of_span_probability_overlapping_the_best_span() -> None:
    pair = _pair(6)
    span = best_span(pair, np.zeros(10), np.zeros(10))
    assert span is not None
    # every allowed span equally likely: the first, token 0, wins the tie; of the 21 spans
    # of 6 tokens, the 6 that start at token 0 overlap it
    assert (span.start, span.end) == (0, 4)
    assert span.mass == pytest.approx(6 / 21)


def test_an_end_before_its_start_or_too_far_is_never_chosen() -> None:
    pair = _pair(MAX_SPAN_TOKENS + 10)
    start = np.full(len(pair.ids), -10.0)
    end = np.zeros(len(pair.ids))
    start[3 + 5] = 9.0
    end[3 + 1] = 20.0  # before the start
    end[3 + 5 + MAX_SPAN_TOKENS] = 20.0  # one token too far
    end[3 + 7] = 2.0
    span = best_span(pair, start, end)
    assert span is not None
    assert (span.start, span.end) == (4 * 5, 4 * 8)  # tokens 5 to 7: the best allowed end


def test_no_sentence_tokens_no_span() -> None:
    assert best_span(_pair(0), np.zeros(4), np.zeros(4)) is None
