"""The benchmark's question sample: the translated sets were drawn by the same recipe."""

from __future__ import annotations

import json

import pytest

from bench.lib.sampling import questions_about, sample_questions
from qa.eval.datasets import EvalQuestion, load_dataset
from tests.conftest import REPO

SQUAD_V1 = REPO.parent / "shared" / "data" / "squad" / "dev-v1.1.heldout-removed.json"


def test_sample_is_seeded_and_keeps_answerable_questions_only() -> None:
    questions = [EvalQuestion(str(i), f"q{i}?", ("a",), unanswerable=i % 3 == 0) for i in range(30)]
    first = sample_questions(questions, 10)
    assert first == sample_questions(questions, 10)
    assert len(first) == 10
    assert not any(q.unanswerable for q in first)
    assert len(sample_questions(questions, None)) == 20
    assert len(sample_questions(questions, None, answerable_only=False)) == 30


def test_questions_about_some_documents_are_sampled_from_theirs_only() -> None:
    questions = [
        EvalQuestion(str(i), f"q{i}?", ("a",), gold_doc_ids=frozenset({f"d{i % 4}"}))
        for i in range(40)
    ]
    about = questions_about(questions, {"d1", "d2"}, 5)
    assert len(about) == 5
    assert all(q.gold_doc_ids <= {"d1", "d2"} for q in about)
    assert about == sample_questions([q for q in questions if i_of(q) % 4 in (1, 2)], 5)


def i_of(question: EvalQuestion) -> int:
    return int(question.id)


@pytest.mark.skipif(not SQUAD_V1.is_file(), reason="the shared SQuAD files are not here")
def test_translated_questions_are_the_first_150_of_the_benchmark_sample() -> None:
    sample = sample_questions(load_dataset(SQUAD_V1).questions, 150)
    lines = (REPO / "bench" / "data" / "squad_translated.ru.jsonl").read_text("utf-8")
    translated = [json.loads(line)["id"] for line in lines.splitlines()]
    assert [q.id for q in sample] == translated
