"""Reciprocal rank fusion against hand-computed scores."""

from __future__ import annotations

import pytest

from qa.retrieval.fusion import reciprocal_rank_fusion


def test_two_lists_by_hand() -> None:
    # k=60: a: 1/61 + 1/62, b: 1/62 + 1/61, c: 1/63, d: 1/63 (ties keep first-seen order)
    fused = reciprocal_rank_fusion([[1, 2, 3], [2, 1, 4]], k=60)
    assert [item for item, _ in fused] == [1, 2, 3, 4]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[2][1] == pytest.approx(1 / 63)


def test_weights_and_small_k() -> None:
    fused = dict(reciprocal_rank_fusion([[7, 8], [8]], k=10, weights=[1.0, 2.0]))
    assert fused[7] == pytest.approx(1 / 11)
    assert fused[8] == pytest.approx(1 / 12 + 2 / 11)


def test_an_item_in_one_list_only_and_empty_lists() -> None:
    assert reciprocal_rank_fusion([[], []]) == []
    assert reciprocal_rank_fusion([[5], []], k=1) == [(5, 0.5)]


def test_weights_must_match_lists() -> None:
    with pytest.raises(ValueError, match="one weight per ranking"):
        reciprocal_rank_fusion([[1]], weights=[1.0, 2.0])
