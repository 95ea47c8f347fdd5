"""The benchmark's question sample: the translated sets were drawn by the same recipe."""

from __future__ import annotations

import json

import pytest

from bench.lib.sampling import sample_questions
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


@pytest.mark.skipif(not SQUAD_V1.is_file(), reason="the shared SQuAD files are not here")
def test_translated_questions_are_the_first_150_of_the_benchmark_sample() -> None:
    sample = sample_questions(load_dataset(SQUAD_V1).questions, 150)
    lines = (REPO / "bench" / "data" / "squad_translated.ru.jsonl").read_text("utf-8")
    translated = [json.loads(line)["id"] for line in lines.splitlines()]
    assert [q.id for q in sample] == translated
