"""Questions about the default corpus: answered with the right fact and passage, or abstained.

The question sets (tests/data/corpus_questions.*.jsonl) were written by hand for citeqa;
`evidence` is the exact text that states the answer. Every citation must quote the source,
always. How many questions are answered right is a measured rate, not a promise for each
question: the floors below are regression guards set just under what the calibrated
pipeline scores (measured figures in each test's docstring), and a failure lists the misses.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from qa.pipeline import QAPipeline
from qa.types import Answer
from tests.conftest import CORPUS, DATA

DOCUMENT = (CORPUS / "unesco-ichei-iioe-central-asia.txt").read_text(encoding="utf-8")
LANGUAGES = ("en", "ru", "kk")

# Measured with qa/calibration.json of 2026-11-29 and again after its 2026-11-30 refit (the
# shares answered or rightly abstained did not move; see each test): floors a question or two
# under the measurement, so that a regression fails and a lucky run is not required.
RIGHT_EN_FLOOR = 0.75
ABSTAIN_EN_FLOOR = 0.75
CROSS_LINGUAL = {
    "ru": {"grounded": 0.65, "max_wrong": 11, "abstained": 0.4},
    "kk": {"grounded": 0.55, "max_wrong": 12, "abstained": 0.5},
}


def questions(lang: str) -> list[dict[str, Any]]:
    path = DATA / f"corpus_questions.{lang}.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def cites_evidence(answer: Answer, evidence: str) -> bool:
    start = DOCUMENT.index(evidence)
    end = start + len(evidence)
    return any(c.start < end and start < c.end for c in answer.citations)


def contains_fact(answer: Answer, facts: list[str]) -> bool:
    text = answer.answer.lower()
    return any(fact.lower() in text for fact in facts)


@dataclass(frozen=True)
class Asked:
    row: dict[str, Any]
    answer: Answer

    @property
    def right(self) -> bool:
        """Answered with the fact, citing the passage that states it."""
        return (
            not self.answer.abstained
            and contains_fact(self.answer, self.row["answers"])
            and cites_evidence(self.answer, self.row["evidence"])
        )

    @property
    def grounded(self) -> bool:
        """Answered from the passage that states the fact (a cross-lingual answer quotes
        the English source, so the fact may be cited without the words of the gold answer)."""
        return not self.answer.abstained and (
            contains_fact(self.answer, self.row["answers"])
            or cites_evidence(self.answer, self.row["evidence"])
        )


@pytest.fixture(scope="module")
def asked(pipeline: QAPipeline) -> dict[str, list[Asked]]:
    return {
        lang: [Asked(row, pipeline.ask(row["question"])) for row in questions(lang)]
        for lang in LANGUAGES
    }


def share(rows: list[Asked], keep: Callable[[Asked], bool]) -> float:
    return sum(map(keep, rows)) / len(rows)


def misses(rows: list[Asked], keep: Callable[[Asked], bool]) -> str:
    return "\n".join(
        f"{a.row['id']}: {a.row['question']} -> {a.answer.answer[:160]}"
        for a in rows
        if not keep(a)
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_citation_quotes_the_source_and_is_referenced(
    asked: dict[str, list[Asked]], lang: str
) -> None:
    for a in asked[lang]:
        for citation in a.answer.citations:
            assert DOCUMENT[citation.start : citation.end] == citation.quote
            assert f"[{citation.n}]" in a.answer.answer
        if a.answer.abstained:
            assert a.answer.citations == []
            assert a.answer.answer == "I could not find this in the documents."


def test_english_questions_are_answered_from_the_passage_that_states_them(
    asked: dict[str, list[Asked]],
) -> None:
    """Measured: 29 of the 36 answerable English questions (0.81); 2 abstained, 5 answered
    with another sentence of the right topic (the cross-encoder's ranking errors)."""
    rows = [a for a in asked["en"] if not a.row["unanswerable"]]
    assert share(rows, lambda a: a.right) >= RIGHT_EN_FLOOR, misses(rows, lambda a: a.right)


def test_english_questions_the_corpus_cannot_answer_are_abstained(
    asked: dict[str, list[Asked]],
) -> None:
    """Measured: 10 of the 12. The two answered ask about a 2023 event and a headquarters
    city, next to sentences about the 2022 event and a city: near-topic questions."""
    rows = [a for a in asked["en"] if a.row["unanswerable"]]
    abstained = share(rows, lambda a: a.answer.abstained)
    assert abstained >= ABSTAIN_EN_FLOOR, misses(rows, lambda a: a.answer.abstained)


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_russian_and_kazakh_questions_are_answered_from_the_english_source(
    asked: dict[str, list[Asked]], lang: str
) -> None:
    """Measured, of 34 answerable and 10 unanswerable: Russian 26 grounded, 8 answered
    with another sentence and 4 unanswerable abstained, Kazakh 23 grounded, 9 answered
    with another sentence and 5 abstained (the reader before its span data: 24 and 5, 20
    and 7; multilingual-e5's cosine alone, before the reader: 20 and 6, 24 and 5).
    Sentences are chosen by the multilingual reader (the cross-encoder is English only),
    with thresholds calibrated on translated SQuAD questions; this is citeqa's weakest part
    (docs/reader.md)."""
    rows = [a for a in asked[lang] if not a.row["unanswerable"]]
    floor = CROSS_LINGUAL[lang]
    assert share(rows, lambda a: a.grounded) >= floor["grounded"], misses(
        rows, lambda a: a.grounded
    )
    wrong = [a for a in rows if not a.answer.abstained and not a.grounded]
    assert len(wrong) <= floor["max_wrong"], misses(wrong, lambda a: False)
    unanswerable = [a for a in asked[lang] if a.row["unanswerable"]]
    assert share(unanswerable, lambda a: a.answer.abstained) >= floor["abstained"], misses(
        unanswerable, lambda a: a.answer.abstained
    )
