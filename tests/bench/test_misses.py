"""bench/misses.py: each wrong answer gets the cause that fits it, and the counts add up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.misses import CAUSES, main, miss_cause
from bench.quality import main as quality_main
from qa.compose.base import Evidence
from qa.eval.datasets import EvalQuestion
from qa.pipeline import QAPipeline
from qa.types import Answer
from tests.conftest import DATA

QUESTION = "Who represented UNESCO-ICHEI as a speaker in the teacher capacity building session?"


@pytest.fixture(scope="module")
def asked(pipeline: QAPipeline) -> tuple[Evidence, Answer]:
    evidence = pipeline.evidence(QUESTION)
    return evidence, pipeline.composer.compose(evidence)


def gold(answers: list[str], evidence: Evidence) -> EvalQuestion:
    doc_id = evidence.snapshot.documents[0].doc_id
    return EvalQuestion("q", QUESTION, tuple(answers), gold_doc_ids=frozenset({doc_id}))


def test_an_answer_holding_the_gold_answer_is_no_miss(asked: tuple[Evidence, Answer]) -> None:
    evidence, answer = asked
    assert miss_cause(gold(["Li Fan"], evidence), evidence, answer) is None


def test_an_abstention_is_a_miss_of_its_own(asked: tuple[Evidence, Answer]) -> None:
    evidence, _ = asked
    abstained = Answer(answer="not found", abstained=True, citations=[])
    assert miss_cause(gold(["Li Fan"], evidence), evidence, abstained) == "abstained"


def test_an_answer_from_another_paragraph_is_a_retrieval_miss(
    asked: tuple[Evidence, Answer],
) -> None:
    evidence, answer = asked
    elsewhere = EvalQuestion("q", QUESTION, ("Almaty",), gold_doc_ids=frozenset({"other"}))
    assert miss_cause(elsewhere, evidence, answer) == "wrong passage"


def test_a_gold_answer_no_sentence_holds_whole_spans_sentences(
    asked: tuple[Evidence, Answer],
) -> None:
    evidence, answer = asked
    snapshot = evidence.snapshot
    first, second = (snapshot.sentence_text(row).split() for row in (1, 2))
    across = " ".join([*first[-2:], *second[:2]])
    assert miss_cause(gold([across], evidence), evidence, answer) == "across sentences"


def test_sentence_choice_misses_tell_read_from_unread(asked: tuple[Evidence, Answer]) -> None:
    """The gold answer in a sentence the cross-encoder scored but did not choose is
    outscored; in one it never read, never scored."""
    evidence, answer = asked
    snapshot = evidence.snapshot
    scored = {s.row for s in evidence.sentences}
    unused = [
        row
        for row in range(len(snapshot.sentences))
        if snapshot.sentence_text(row) not in answer.answer
        and len(snapshot.sentence_text(row).split()) > 4
    ]
    read = next(row for row in unused if row in scored)
    unread = next(row for row in unused if row not in scored)
    outscored = gold([snapshot.sentence_text(read)], evidence)
    assert miss_cause(outscored, evidence, answer) == "outscored"
    never = gold([snapshot.sentence_text(unread)], evidence)
    assert miss_cause(never, evidence, answer) == "never scored"


@pytest.mark.slow
def test_the_counts_match_the_quality_benchmark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Over the same questions and cached index, the misses are exactly the questions
    bench/quality.py counts as lacking the answer."""
    data = ["--squad-v1", str(DATA / "squad_slice.json"), "--index-root", str(tmp_path)]
    quality = tmp_path / "quality.json"
    options = ["--sample", "20", "--no-ablation", "--skip", "out-of-corpus", "--skip", "typos"]
    assert quality_main([*data, *options, "--out", str(quality), "--no-progress"]) == 0
    misses = tmp_path / "misses.json"
    assert main([*data, "--sample", "20", "--out", str(misses), "--no-progress"]) == 0
    results = json.loads(misses.read_text())
    contains = json.loads(quality.read_text())["squad_v1"]["citeqa"]["answer_contains"]
    assert results["questions"] == 20
    assert set(results["causes"]) == set(CAUSES)
    assert results["answer_contains"] == pytest.approx(contains)
    missed = sum(results["causes"].values())
    assert missed == sum(len(ids) for ids in results["question_ids"].values())
    assert "| all misses |" in capsys.readouterr().out
