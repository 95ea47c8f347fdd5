"""Short answers on the default corpus: the words that answer, inside the cited quote."""

from __future__ import annotations

import pytest

from qa.pipeline import QAPipeline
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


def test_an_unsure_span_is_not_shown(pipeline: QAPipeline) -> None:
    """The Kazakh question's span is the right word, but the reader is less sure of it
    (score 0.69) than the display line (0.81, fitted for 90% precision): no highlight."""
    answer = pipeline.ask("Доктор Гюнай Карли қай IT компаниясының өкілі болды?")
    assert "MERSYS" in answer.answer
    assert answer.short_answer is None


def test_no_short_answer_when_the_answer_abstains(pipeline: QAPipeline) -> None:
    answer = pipeline.ask("What is the boiling point of mercury?")
    assert answer.abstained
    assert answer.short_answer is None
    assert "short_answer" not in answer.model_dump(exclude_none=True)
