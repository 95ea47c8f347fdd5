"""Expected calibration error of the confidence shown with answers, and its noise floor."""

from __future__ import annotations

import pytest

from qa.eval.aggregate import calibrated_ece, expected_calibration_error


def test_a_confidence_right_as_often_as_it_says_has_no_error() -> None:
    confidences = [0.25] * 4 + [0.75] * 4
    outcomes = [True, False, False, False, True, True, True, False]
    assert expected_calibration_error(confidences, outcomes) == pytest.approx(0.0)


def test_overconfidence_is_the_weighted_gap_per_bin() -> None:
    # 0.95 claimed, right half the time: gap 0.45 on 2 of 4; 0.15 claimed, never right: 0.15.
    confidences = [0.95, 0.95, 0.15, 0.15]
    outcomes = [True, False, False, False]
    assert expected_calibration_error(confidences, outcomes) == pytest.approx(
        (2 * 0.45 + 2 * 0.15) / 4
    )


def test_no_answers_no_error() -> None:
    assert expected_calibration_error([], []) == 0.0
    assert expected_calibration_error([1.0], [True]) == pytest.approx(0.0)


def test_the_floor_shrinks_with_more_answers_and_is_zero_for_certain_ones() -> None:
    few, many = [0.3, 0.6, 0.9] * 20, [0.3, 0.6, 0.9] * 700
    assert calibrated_ece(few) > 2 * calibrated_ece(many) > 0
    assert calibrated_ece([0.0, 1.0] * 10) == 0.0
    assert calibrated_ece([]) == 0.0


def test_the_floor_is_the_mean_error_of_outcomes_drawn_from_the_confidences() -> None:
    # One answer at 0.5: every draw is right or wrong, each 0.5 from its confidence.
    assert calibrated_ece([0.5]) == pytest.approx(0.5)
    # Two at 0.5 in one bin: half the draws split (gap 0), half agree (gap 0.5).
    assert calibrated_ece([0.5, 0.5], draws=20_000) == pytest.approx(0.25, abs=0.01)
    assert calibrated_ece([0.4, 0.7] * 50) == calibrated_ece([0.4, 0.7] * 50)  # seeded
