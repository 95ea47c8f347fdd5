"""bench/tuning/calibrate.py: its logistic fits recover the weights that made the data, a
language's own curve gets a pseudo-answer prior, the short answer's line is the lowest that
holds the precision, and the short answer is fitted on answers composed with the scorers
just fitted."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.tuning.calibrate import (
    FLAT,
    Observed,
    answered_as_fitted,
    fit_language_curve,
    fit_logistic,
    fit_span_score,
    fit_weights,
    fitted_composer,
    holds_answer,
)
from qa.calibration import CROSS_ENCODER, READER, READER_SAME_LANGUAGE, sigmoid
from qa.eval.datasets import EvalQuestion
from qa.pipeline import QAPipeline

CALIBRATION = Path(__file__).resolve().parents[3] / "qa" / "calibration.json"


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


def test_answers_are_composed_again_with_the_scorers_just_fitted(pipeline: QAPipeline) -> None:
    question = EvalQuestion(
        "karli", "Which IT company was Dr. Gunay Karli representing?", ("MERSYS",)
    )
    evidence = pipeline.evidence(question.question)
    observed = Observed(question, evidence, evidence, pipeline.composer.compose(evidence))
    shipped = json.loads(CALIBRATION.read_text("utf-8"))["scorers"]
    own = shipped[evidence.scorer]

    sure = {**shipped, evidence.scorer: {**own, "confidence": {"slope": 0.0, "intercept": 6.0}}}
    [again] = answered_as_fitted([observed], sure)
    assert again.answer.answer == observed.answer.answer
    assert again.answer.confidence == pytest.approx(sigmoid(6.0), abs=1e-3)
    assert observed.answer.confidence != pytest.approx(sigmoid(6.0), abs=1e-3)

    strict = {**shipped, evidence.scorer: {**own, "abstain_below": 1e9}}
    [refused] = answered_as_fitted([observed], strict)
    assert refused.answer.abstained
    assert not observed.answer.abstained


def test_an_answer_holds_the_fact_by_the_thresholds_being_fitted(pipeline: QAPipeline) -> None:
    """The curves are fitted on answers composed with the thresholds of the same run, not
    with the loaded file's: a loaded threshold on another scale would make every answer an
    abstention, and every curve flat."""
    question = EvalQuestion(
        "karli", "Which IT company was Dr. Gunay Karli representing?", ("MERSYS",)
    )
    evidence = pipeline.evidence(question.question)
    refused = fitted_composer(evidence.scorer, 1e9, 1e9, 0.0).compose(evidence)
    observed = Observed(question, evidence, evidence, refused)
    assert refused.abstained
    assert holds_answer(observed, fitted_composer(evidence.scorer, -1e9, -1e9, 0.0))
    assert not holds_answer(observed, fitted_composer(evidence.scorer, 1e9, 1e9, 0.0))


def test_the_span_line_is_the_lowest_whose_shown_spans_reach_the_precision() -> None:
    rng = np.random.default_rng(0)
    n = 6_000
    features = np.column_stack([rng.normal(4, 2, n), rng.normal(1, 1.5, n), rng.uniform(0, 2, n)])
    chosen_by = rng.choice([CROSS_ENCODER, READER], n).tolist()
    chance = 1 / (1 + np.exp(-(features @ np.array([0.4, 0.5, -0.8]))))
    f1s = (rng.random(n) < chance).astype(float).tolist()

    fitted = fit_span_score(features.tolist(), chosen_by, f1s, precision=0.9)

    weights = fitted["weights"]
    assert [weights["mass_weight"], weights["confidence_weight"], weights["length_weight"]] == (
        pytest.approx([0.4, 0.5, -0.8], abs=0.1)
    )
    assert fitted["fitted"]["precision"] >= 0.9
    assert 0.0 < fitted["fitted"]["coverage"] < 1.0
    looser = fit_span_score(features.tolist(), chosen_by, f1s, precision=0.8)
    assert looser["min_score"] < fitted["min_score"]
    assert looser["fitted"]["coverage"] > fitted["fitted"]["coverage"]
    by_scorer = fitted["fitted"]["by_scorer"]
    assert by_scorer[CROSS_ENCODER]["answers"] + by_scorer[READER]["answers"] == n


def test_a_scorer_whose_spans_fall_short_at_the_shared_line_gets_a_higher_one() -> None:
    rng = np.random.default_rng(1)
    n = 4_000
    features = np.column_stack([rng.normal(1, 2, n), rng.normal(1, 1.5, n), rng.uniform(0, 2, n)])
    chosen_by = np.array([CROSS_ENCODER, READER_SAME_LANGUAGE])[rng.integers(0, 2, n)]
    chance = 1 / (1 + np.exp(-(features @ np.array([0.8, 0.5, -0.8]))))
    chance[chosen_by == READER_SAME_LANGUAGE] *= 0.92  # some spans wrong, whatever their score
    f1s = (rng.random(n) < chance).astype(float).tolist()

    fitted = fit_span_score(features.tolist(), chosen_by.tolist(), f1s, precision=0.85)

    own = fitted["min_score_by_scorer"]
    assert list(own) == [READER_SAME_LANGUAGE]
    assert own[READER_SAME_LANGUAGE] > fitted["min_score"]
    by_scorer = fitted["fitted"]["by_scorer"]
    assert by_scorer[READER_SAME_LANGUAGE]["precision"] >= 0.85
    assert by_scorer[CROSS_ENCODER]["precision"] >= 0.85
    assert by_scorer[READER_SAME_LANGUAGE]["coverage"] < by_scorer[CROSS_ENCODER]["coverage"]


def test_a_language_whose_answers_were_all_right_gets_a_curve_near_one() -> None:
    scores = [float(i) / 10 for i in range(60)]
    curve = fit_language_curve(scores, [True] * len(scores))
    assert fit_logistic(scores, [True] * len(scores)) == FLAT  # no curve without the prior
    assert curve.probability(min(scores)) > 0.9
    assert fit_language_curve(scores[:10], [True] * 10) == FLAT  # too few answers


def test_the_prior_hardly_moves_the_curve_of_hundreds_of_answers() -> None:
    scores = [float(i) / 100 for i in range(600)]
    labels = [(i * 7919) % 600 < i for i in range(600)]  # right more often as scores rise
    plain, with_prior = fit_logistic(scores, labels), fit_language_curve(scores, labels)
    for score in (0.5, 3.0, 5.5):
        assert with_prior.probability(score) == pytest.approx(plain.probability(score), abs=0.02)
