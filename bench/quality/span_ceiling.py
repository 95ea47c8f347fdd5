"""How far a better short-answer score could go with today's reader.

The short answer is the reader's best span of the answer's best sentence, shown when its
score clears the display line. Whatever the score, a shown span can only be right when
that best span is: with a perfect score (every right span shown, wrong ones only as far as
the precision allows), the coverage at a precision p is at most (right spans / p) over the
answered questions. This module measures that ceiling on the questions it is given, so the
short-answer table can tell a weak score from a weak span model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa.eval.aggregate import SHORT_ANSWER_RIGHT_F1
from qa.eval.datasets import EvalQuestion
from qa.eval.metrics import f1_score
from qa.pipeline import QAPipeline


@dataclass(frozen=True, slots=True)
class SpanCeiling:
    """Answered questions and those whose best span is right (token F1 >= 0.5)."""

    answered: int
    best_span_right: int

    def right_share(self) -> float:
        return self.best_span_right / self.answered if self.answered else 0.0

    def coverage_at(self, precision: float) -> float:
        """The coverage a perfect score would reach with shown spans at `precision`."""
        if not self.answered:
            return 0.0
        return min(1.0, self.best_span_right / precision / self.answered)


def span_ceiling(pipeline: QAPipeline, questions: Sequence[EvalQuestion]) -> SpanCeiling:
    """Each answerable question answered as `QAPipeline.ask` does; the best span of each
    answer that does not abstain, read whatever its score, judged against the gold answers."""
    finder = pipeline.short_answers
    answered = right = 0
    for question in questions:
        if question.unanswerable:
            continue
        evidence = pipeline.evidence(question.question)
        answer = pipeline.composer.compose(evidence)
        if answer.abstained:
            continue
        answered += 1
        candidate = finder.candidate(evidence, answer) if finder is not None else None
        if candidate is not None and (
            f1_score(candidate.short.text, question.answers) >= SHORT_ANSWER_RIGHT_F1
        ):
            right += 1
    return SpanCeiling(answered, right)
