"""Questions about the default corpus: answered with the right fact and passage, or abstained.

The question sets (tests/data/corpus_questions.*.jsonl) were written by hand for citeqa;
`evidence` is the exact text that states the answer.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from qa.pipeline import QAPipeline
from qa.types import Answer
from tests.conftest import CORPUS, DATA

DOCUMENT = (CORPUS / "unesco-ichei-iioe-central-asia.txt").read_text(encoding="utf-8")


def questions(lang: str, unanswerable: bool) -> list[dict[str, Any]]:
    path = DATA / f"corpus_questions.{lang}.jsonl"
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    return [r for r in rows if r["unanswerable"] is unanswerable]


def cites_evidence(answer: Answer, evidence: str) -> bool:
    start = DOCUMENT.index(evidence)
    end = start + len(evidence)
    return any(c.start < end and start < c.end for c in answer.citations)


def contains_fact(answer: Answer, facts: list[str]) -> bool:
    text = answer.answer.lower()
    return any(fact.lower() in text for fact in facts)


def assert_citations_quote_the_source(answer: Answer) -> None:
    for citation in answer.citations:
        assert DOCUMENT[citation.start : citation.end] == citation.quote
        assert f"[{citation.n}]" in answer.answer


@pytest.mark.parametrize("row", questions("en", False), ids=lambda r: r["id"])
def test_english_question_is_answered_from_the_passage_that_states_it(
    pipeline: QAPipeline, row: dict[str, Any]
) -> None:
    answer = pipeline.ask(row["question"])
    assert not answer.abstained, answer.answer
    assert contains_fact(answer, row["answers"]), answer.answer
    assert cites_evidence(answer, row["evidence"]), answer.answer
    assert_citations_quote_the_source(answer)


@pytest.mark.parametrize("row", questions("en", True), ids=lambda r: r["id"])
def test_question_the_corpus_cannot_answer_is_abstained(
    pipeline: QAPipeline, row: dict[str, Any]
) -> None:
    answer = pipeline.ask(row["question"])
    assert answer.abstained, answer.answer
    assert answer.citations == []
    assert answer.answer == "I could not find this in the documents."


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_russian_and_kazakh_questions_are_answered_or_correctly_abstained(
    pipeline: QAPipeline, lang: str
) -> None:
    """Every question gets the right fact from the English source, or an abstention;
    never a wrong answer. Most answerable ones must be answered."""
    answered = 0
    answerable = questions(lang, False)
    for row in answerable:
        answer = pipeline.ask(row["question"])
        assert_citations_quote_the_source(answer)
        if not answer.abstained:
            assert contains_fact(answer, row["answers"]) or cites_evidence(
                answer, row["evidence"]
            ), (row["question"], answer.answer)
            answered += 1
    for row in questions(lang, True):
        assert pipeline.ask(row["question"]).abstained, row["question"]
    assert answered >= 0.8 * len(answerable)
