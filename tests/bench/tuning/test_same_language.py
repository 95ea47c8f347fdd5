"""bench/tuning/same_language.py: the reader's same-language fit, on one half of a set,
written into a copy of the calibration and nothing else changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from bench.tuning.calibrate import Observed
from bench.tuning.same_language import MIN_LANGUAGE_QUESTIONS, language_threshold, main
from qa.calibration import READER_SAME_LANGUAGE
from qa.compose.base import Evidence
from qa.eval.datasets import EvalQuestion
from qa.rerank.sentences import ScoredSentence
from qa.types import NOT_FOUND, Answer

REPO = Path(__file__).resolve().parents[3]
RU = REPO / "bench" / "data" / "corpora" / "ru"


@pytest.mark.slow
def test_the_fit_reads_half_a_and_changes_only_its_scorer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITEQA_EVAL_CACHE", str(tmp_path / "cache"))
    calibration = tmp_path / "calibration.json"
    shutil.copy(REPO / "qa" / "calibration.json", calibration)
    before = json.loads(calibration.read_text())
    argv = ["--set", str(RU), "--half", "a", "--limit", "24", "--calibration", str(calibration)]
    assert main(argv) == 0

    after = json.loads(calibration.read_text())
    assert {k: v for k, v in after["scorers"].items() if k != READER_SAME_LANGUAGE} == {
        k: v for k, v in before["scorers"].items() if k != READER_SAME_LANGUAGE
    }
    assert after["short_answer"] == before["short_answer"]
    fitted = after["scorers"][READER_SAME_LANGUAGE]
    assert "fitted_as" not in fitted  # its own fit, not a copy of the reader's
    assert fitted["fitted"]["questions"] == 24
    budget = before["scorers"]["cross_encoder"]["fitted"]["false_abstain_budget"]
    assert fitted["fitted"]["false_abstain_budget"] == budget
    assert fitted["fitted"]["false_abstain_rate"] <= budget
    assert set(fitted["confidence_by_language"]) <= {"ru"}  # the set's own language
    assert MIN_LANGUAGE_QUESTIONS > 24
    assert fitted["abstain_below_by_language"] == {}  # too few for a threshold of its own
    [record] = after["data"]["same_language"]
    assert (record["set"], record["half"], record["answerable_questions"]) == ("ru", "a", 24)
    assert record["language"] == "ru"


def observed(inside: float, outside: float) -> Observed:
    """A question whose best sentence scored `inside` with its documents, `outside` without."""

    def evidence(score: float) -> Evidence:
        return cast(Evidence, SimpleNamespace(sentences=[ScoredSentence(0, 0, score)]))

    answer = Answer(answer=NOT_FOUND, abstained=True, citations=[], confidence=0.0)
    return Observed(EvalQuestion("q", "q", ("a",)), evidence(inside), evidence(outside), answer)


def test_a_language_threshold_holds_the_budget_on_its_own_questions() -> None:
    questions = [observed(float(i), float(i) - 10) for i in range(100)]
    fitted = language_threshold(questions, 0.038)
    assert fitted == {
        "abstain_below": 3.0,  # scores 0, 1 and 2 fall below it: 0.03 <= 0.038
        "questions": 100,
        "false_abstain_rate": 0.03,
        "out_of_corpus_abstain_recall": 0.13,  # outside scores -10 to 2
    }
