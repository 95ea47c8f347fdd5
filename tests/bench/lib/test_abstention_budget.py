"""bench/lib/abstention_budget.py: the false abstention budget leaves room for sampling
error, and the threshold it gives lets at most the budget's share of scores fall below it."""

from __future__ import annotations

from scipy.stats import binomtest

from bench.lib.abstention_budget import budget_threshold, false_abstain_budget


def upper_bound(abstentions: int, questions: int) -> float:
    interval = binomtest(abstentions, questions).proportion_ci(0.9, method="wilson")
    return float(interval.high)


def test_the_budget_is_the_highest_rate_whose_upper_bound_is_within_the_limit() -> None:
    budget = false_abstain_budget(1000, 0.05)
    allowed = round(budget * 1000)
    assert 0 < budget < 0.05
    assert upper_bound(allowed, 1000) <= 0.05 < upper_bound(allowed + 1, 1000)


def test_fewer_questions_leave_a_smaller_budget() -> None:
    assert false_abstain_budget(300, 0.05) < false_abstain_budget(1000, 0.05)
    assert false_abstain_budget(20, 0.05) == 0.0


def test_the_threshold_is_a_score_with_at_most_the_budget_below_it() -> None:
    scores = [float(i) for i in range(100, 0, -1)]  # 1 to 100, in any order
    assert budget_threshold(scores, 0.038) == 4.0  # 1, 2 and 3 below it: 0.03
    assert budget_threshold(scores, 0.0) == 1.0  # none below
