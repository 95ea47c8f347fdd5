"""Expected calibration error of the confidence shown with answers."""

from __future__ import annotations

import pytest

from qa.eval.aggregate import expected_calibration_error


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
