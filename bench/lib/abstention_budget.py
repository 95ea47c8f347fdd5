"""The false abstention budget of a calibration: the rate a threshold may allow on the
calibration questions so that, on new questions, it stays within a limit with 95% confidence
(a rate fitted right at the limit exceeds it on new questions about half of the time)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import binomtest


def false_abstain_budget(questions: int, limit: float) -> float:
    """The highest false abstention rate on `questions` calibration questions whose
    one-sided 95% Wilson upper bound is at most `limit`."""
    allowed = 0
    for k in range(1, questions + 1):
        bound = binomtest(k, questions).proportion_ci(confidence_level=0.9, method="wilson")
        if bound.high > limit:
            break
        allowed = k
    return allowed / questions


def budget_threshold(answerable_scores: Sequence[float] | np.ndarray, budget: float) -> float:
    """The score below which to abstain so that at most `budget` of these answerable
    questions' scores fall under it: their `budget` quantile, taken at a score they have."""
    return float(np.quantile(np.asarray(answerable_scores), budget, method="lower"))
