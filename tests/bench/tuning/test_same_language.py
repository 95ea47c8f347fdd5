"""bench/tuning/same_language.py: the reader's same-language fit, on one half of a set,
written into a copy of the calibration and nothing else changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.tuning.same_language import main
from qa.calibration import READER_SAME_LANGUAGE

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
    [record] = after["data"]["same_language"]
    assert (record["set"], record["half"], record["answerable_questions"]) == ("ru", "a", 24)
    assert record["language"] == "ru"
