"""bench/tuning/calibrate.py's logistic fits: they recover the weights that made the data."""

from __future__ import annotations

import numpy as np
import pytest

from bench.tuning.calibrate import FLAT, fit_logistic, fit_weights


def test_fit_weights_recovers_the_weights_of_logistic_data() -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(20_000, 3))
    truth = np.array([1.5, -0.8, 0.0])
    chance = 1 / (1 + np.exp(-(features @ truth + 0.3)))
    labels = (rng.random(len(chance)) < chance).tolist()
    *weights, intercept = fit_weights(features, labels)
    assert weights == pytest.approx(truth.tolist(), abs=0.06)
    assert intercept == pytest.approx(0.3, abs=0.06)


def test_fit_logistic_is_flat_without_both_outcomes_or_enough_answers() -> None:
    assert fit_logistic([float(i) for i in range(50)], [True] * 50) == FLAT
    assert fit_logistic([1.0, 2.0], [True, False]) == FLAT
    curve = fit_logistic([float(i) for i in range(40)], [i >= 20 for i in range(40)])
    assert curve.slope > 0
    assert curve.probability(30.0) > 0.9 > 0.1 > curve.probability(10.0)
