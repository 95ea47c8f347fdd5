"""Short answers on the default corpus: the words that answer, inside the cited quote."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa.pipeline import QAPipeline
from qa.reader.short_answer import ShortAnswerFinder
from tests.conftest import CORPUS

DOCUMENT = (CORPUS / "unesco-ichei-iioe-central-asia.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which IT company was Dr. Gunay Karli representing?", "MERSYS"),
        ("Where does UNESCO-ICHEI plan to establish an IIOE National Center?", "Uzbekistan"),
        ("В какой стране UNESCO-ICHEI планирует создать национальный центр IIOE?", "Uzbekistan"),
        ("UNESCO-ICHEI IIOE ұлттық орталығын қай елде құруды жоспарлап отыр?", "Uzbekistan"),
        ("Какую IT-компанию представлял доктор Гюнай Карли?", "MERSYS"),
    ],
)
def test_the_short_answer_is_the_answering_words_of_the_cited_quote(
    pipeline: QAPipeline, question: str, expected: str
) -> None:
    answer = pipeline.ask(question)
    short = answer.short_answer
    assert short is not None, answer.answer
    assert expected in short.text
    assert len(short.text.split()) <= 4
    assert DOCUMENT[short.start : short.end] == short.text
    (cited,) = [c for c in answer.citations if c.n == short.citation]
    assert cited.start <= short.start < short.end <= cited.end
    assert 0 < short.score <= 1


@pytest.mark.parametrize(
    "question",
    [
        "Which IT company was Dr. Gunay Karli representing?",
        "Доктор Гюнай Карли қай IT компаниясының өкілі болды?",
    ],
)
def test_a_span_is_shown_only_from_the_display_line_on(pipeline: QAPipeline, question: str) -> None:
    """The same span, shown with the calibrated line, is not shown once the line lies above
    its score: a wrong highlight is worse than none."""
    finder = pipeline.short_answers
    assert finder is not None
    evidence = pipeline.evidence(question)
    answer = pipeline.composer.compose(evidence)
    candidate = finder.candidate(evidence, answer)
    assert candidate is not None
    score = candidate.short.score
    line = finder.calibration.line(evidence.scorer)
    assert (finder.find(evidence, answer) is not None) == (score >= line)
    above = ShortAnswerFinder(finder.reader, replace(finder.calibration, min_score=score + 1e-4))
    assert above.find(evidence, answer) is None
    at = ShortAnswerFinder(finder.reader, replace(finder.calibration, min_score=score))
    assert at.find(evidence, answer) == candidate.short
    # a line of its own for the scorer that chose the sentence outranks the shared one
    own = replace(at.calibration, min_score_by_scorer={evidence.scorer: score + 1e-4})
    assert ShortAnswerFinder(finder.reader, own).find(evidence, answer) is None
    other = replace(at.calibration, min_score_by_scorer={"another scorer": score + 1e-4})
    assert ShortAnswerFinder(finder.reader, other).find(evidence, answer) == candidate.short


def test_no_short_answer_when_the_answer_abstains(pipeline: QAPipeline) -> None:
    answer = pipeline.ask("What is the boiling point of mercury?")
    assert answer.abstained
    assert answer.short_answer is None
    assert "short_answer" not in answer.model_dump(exclude_none=True)
