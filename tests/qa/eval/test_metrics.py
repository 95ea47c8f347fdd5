"""Metric functions against hand-computed values."""

from __future__ import annotations

import math

import pytest

from qa.eval.metrics import (
    abstention_scores,
    exact_match,
    f1_score,
    first_hit_ndcg,
    first_relevant_rank,
    hit_at_k,
    mean,
    ndcg_at_k,
    percentile,
    reciprocal_rank,
)


def test_exact_match_takes_the_best_gold() -> None:
    assert exact_match("the Denver Broncos", ["Broncos", "Denver Broncos"]) == 1.0
    assert exact_match("Denver", ["Denver Broncos"]) == 0.0
    assert exact_match("anything", []) == 0.0


def test_f1_is_squad_token_f1() -> None:
    # prediction tokens: denver broncos won ; gold: denver broncos -> P 2/3, R 1, F1 0.8
    assert f1_score("The Denver Broncos won", ["Denver Broncos"]) == pytest.approx(0.8)
    # best of two golds: "broncos" gives P 1/3, R 1 -> 0.5; "carolina panthers" gives 0
    assert f1_score("Denver Broncos won", ["Carolina Panthers", "Broncos"]) == pytest.approx(0.5)
    # repeated tokens count once each on both sides: pred a1 a1 b, gold a1 b b -> same 2
    assert f1_score("x x y", ["x y y"]) == pytest.approx(2 / 3)
    assert f1_score("", ["Broncos"]) == 0.0
    assert f1_score("Broncos", []) == 0.0


def test_ranks_hits_and_reciprocal_rank() -> None:
    assert first_relevant_rank([False, False, True, True]) == 3
    assert first_relevant_rank([False, False]) is None
    assert hit_at_k(3, 3) == 1.0
    assert hit_at_k(3, 1) == 0.0
    assert hit_at_k(None, 10) == 0.0
    assert reciprocal_rank(4, 10) == 0.25
    assert reciprocal_rank(11, 10) == 0.0
    assert reciprocal_rank(None, 10) == 0.0
    # MRR over three queries with first hits at 1, 2 and none: (1 + 0.5 + 0) / 3
    assert mean([reciprocal_rank(r, 10) for r in (1, 2, None)]) == pytest.approx(0.5)


def test_ndcg_by_hand() -> None:
    # one relevant item at rank 2: 1/log2(3)
    assert ndcg_at_k([0, 1, 0], 10, 1) == pytest.approx(1 / math.log2(3))
    assert first_hit_ndcg(2, 10) == pytest.approx(0.6309, abs=1e-4)
    # two relevant at ranks 1 and 3: (1 + 1/2) / (1 + 1/log2(3)) = 0.9197
    assert ndcg_at_k([1, 0, 1], 10, 2) == pytest.approx(0.9197, abs=1e-4)
    # cut at k: the hit at rank 3 is not seen at k=2
    assert ndcg_at_k([0, 0, 1], 2, 1) == 0.0
    assert ndcg_at_k([1, 1], 10, 0) == 0.0
    assert first_hit_ndcg(1, 10) == 1.0
    assert first_hit_ndcg(None, 10) == 0.0


def test_abstention_precision_recall_by_hand() -> None:
    # 3 unanswerable (2 abstained), 5 answerable (1 abstained)
    abstained = [True, True, False, True, False, False, False, False]
    unanswerable = [True, True, True, False, False, False, False, False]
    scores = abstention_scores(abstained, unanswerable)
    assert scores.precision == pytest.approx(2 / 3)
    assert scores.recall == pytest.approx(2 / 3)
    assert scores.f1 == pytest.approx(2 / 3)
    assert scores.false_abstain_rate == pytest.approx(1 / 5)


def test_abstention_without_abstentions_is_zero_not_an_error() -> None:
    scores = abstention_scores([False, False], [True, False])
    assert (scores.precision, scores.recall, scores.f1, scores.false_abstain_rate) == (0, 0, 0, 0)
    with pytest.raises(ValueError, match="same length"):
        abstention_scores([True], [])


def test_percentile_interpolates() -> None:
    assert percentile([10.0, 20.0, 30.0, 40.0], 50) == 25.0
    assert percentile([1.0] * 19 + [100.0], 95) == pytest.approx(5.95)
    assert percentile([], 50) == 0.0
