"""bench/split_abstention.py: a threshold fitted on one half, measured on the other."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.split_abstention import fit_threshold, main, split_fit


def row(half: str, answerable: bool, confidence: float, abstained: bool = False) -> dict[str, Any]:
    return {
        "id": f"{half}-{confidence}",
        "lang": "kk",
        "half": half,
        "answerable": answerable,
        "abstained": abstained,
        "confidence": confidence,
    }


def test_the_threshold_keeps_the_false_abstention_budget() -> None:
    answerable = [0.80 + i / 10000 for i in range(1000)]
    threshold = fit_threshold(answerable, 0.05)
    abstained = sum(c < threshold for c in answerable)
    assert 20 < abstained < 50  # the Wilson bound leaves less than the limit


def test_fitted_on_one_half_and_reported_on_the_other() -> None:
    rows = [row("a", True, 0.80 + i / 1000) for i in range(60)]
    rows += [row("a", False, 0.70)] * 20
    # half b: answerable questions just above half a's, unanswerable ones just below
    rows += [row("b", True, 0.81 + i / 1000) for i in range(50)]
    rows += [row("b", False, 0.79, abstained=False)] * 10
    splits = {s["reported_on"]: s for s in split_fit(rows, 0.05)}
    on_b = splits["b"]
    assert on_b["fitted_on"] == "a"
    assert on_b["fitted"]["abstain_recall"] == 1.0
    assert on_b["fitted"]["false_abstain_rate"] == 0.0
    assert on_b["shipped"]["abstain_recall"] == 0.0
    assert (on_b["fitted"]["answerable"], on_b["fitted"]["unanswerable"]) == (50, 10)
    assert splits["a"]["threshold"] > 0.80


def test_the_table_reads_the_benchmark_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [row(h, True, 0.8 + i / 100) for h in "ab" for i in range(20)]
    rows += [row(h, False, 0.5) for h in "ab" for _ in range(5)]
    path = tmp_path / "corpora.json"
    path.write_text(json.dumps({"sets": {"kk": {"per_question": rows}}, "run": {}}))
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "| kk | kk | a -> b | 20 + 5 |" in out
