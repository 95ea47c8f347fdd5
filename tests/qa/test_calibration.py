"""qa/calibration.py: the shipped calibration loads, and a short answer's score rises with
the reader's span mass and the answer's confidence and falls with the span's length."""

from __future__ import annotations

import math

import pytest

from qa.calibration import Calibration, SpanCalibration, log_odds, span_features


def score(span: SpanCalibration, mass: float, confidence: float, words: int) -> float:
    return span.probability(span_features(mass, confidence, words))


def test_the_shipped_short_answer_score_weighs_each_feature_the_expected_way() -> None:
    span = Calibration.load().short_answer
    base = score(span, mass=0.7, confidence=0.8, words=2)
    assert 0.0 < base < 1.0
    assert score(span, mass=0.95, confidence=0.8, words=2) > base
    assert score(span, mass=0.7, confidence=0.95, words=2) > base
    assert score(span, mass=0.7, confidence=0.8, words=12) < base
    assert 0.5 < span.min_score < 1.0


def test_the_score_is_the_logistic_of_the_weighted_features() -> None:
    span = SpanCalibration(
        mass_weight=0.5, confidence_weight=1.0, length_weight=-1.0, intercept=0.25, min_score=0.9
    )
    sure = 1 / (1 + math.exp(-2.0))  # log-odds 2
    assert span_features(sure, 0.5, 0) == pytest.approx((2.0, 0.0, 0.0))
    assert score(span, sure, 0.5, 0) == pytest.approx(1 / (1 + math.exp(-1.25)))
    assert score(span, 0.5, 0.5, 0) == span.probability((0.0, 0.0, 0.0))


def test_log_odds_stays_finite_at_certainty() -> None:
    assert log_odds(0.5) == 0.0
    assert log_odds(0.0) == pytest.approx(-log_odds(1.0))
    assert abs(log_odds(1.0)) < 10
