"""The short answers' ceiling: the best span judged whatever its score, on the default corpus."""

from __future__ import annotations

import pytest

from bench.quality.span_ceiling import SpanCeiling, span_ceiling
from qa.eval.datasets import EvalQuestion
from qa.pipeline import QAPipeline

WHERE = "Where does UNESCO-ICHEI plan to establish an IIOE National Center?"
WHICH = "Which IT company was Dr. Gunay Karli representing?"


def test_the_ceiling_shows_every_right_span_and_wrong_ones_up_to_the_precision() -> None:
    assert SpanCeiling(answered=10, best_span_right=6).coverage_at(0.9) == pytest.approx(6 / 9)
    assert SpanCeiling(answered=10, best_span_right=6).right_share() == pytest.approx(0.6)
    assert SpanCeiling(answered=10, best_span_right=10).coverage_at(0.9) == 1.0
    assert SpanCeiling(answered=0, best_span_right=0).coverage_at(0.9) == 0.0


def test_best_spans_are_judged_against_the_gold_answers(pipeline: QAPipeline) -> None:
    questions = [
        EvalQuestion("where", WHERE, ("Uzbekistan",), False),
        EvalQuestion("which", WHICH, ("MERSYS",), False),
        # Answered, but its best span is not this (wrong) gold answer.
        EvalQuestion("wrong-gold", WHICH, ("Almaty",), False),
        # Unanswerable questions are not asked: the ceiling is over answered questions.
        EvalQuestion("unanswerable", WHERE, (), True),
    ]
    ceiling = span_ceiling(pipeline, questions)
    assert ceiling == SpanCeiling(answered=3, best_span_right=2)
    assert ceiling.coverage_at(0.9) == pytest.approx(2 / 0.9 / 3)
