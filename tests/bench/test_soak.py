"""bench/soak.py: a short soak against a real `citeqa serve`, hostile traffic included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.lib.hostile import HOSTILE_FILES
from bench.soak import contains_gold, main
from tests.conftest import CORPUS, DATA


def test_contains_gold_ignores_case_and_spacing() -> None:
    assert contains_gold("It was held in  Almaty, Kazakhstan.", ["almaty"])
    assert not contains_gold("It was held in Astana.", ["Almaty", "UNESCO Almaty"])


@pytest.mark.slow
def test_a_short_soak_has_no_5xx_and_answers_stay_right(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    code = main(
        [
            "--corpus",
            str(CORPUS),
            "--questions",
            str(DATA / "corpus_questions.en.jsonl"),
            "--limit",
            "6",
            "--duration",
            "30",
            "--rate",
            "2",
            "--slow-clients",
            "3",
            "--sample",
            "1",
            "--out",
            str(out),
        ]
    )
    summary = json.loads(out.read_text("utf-8"))
    assert code == 0, summary["first_failures"]
    assert summary["server_errors_5xx"] == 0
    assert summary["unexpected"] == 0
    assert summary["requests"] >= 30
    assert summary["correct"]["judged"] >= 1
    assert summary["correct"]["share"] == 1.0
    kinds = set(summary["statuses"])
    assert {"ask", "big_history_chat", "upload", "delete"} <= kinds
    assert any(kind.startswith("surrogate_") for kind in kinds)
    assert len(summary["rss_mb"]["samples"]) >= 10
    assert summary["slow_clients"]["connections"] >= 3
    assert summary["slow_clients"]["held_max_s"] < 20
    assert len(summary["index_skipped"]) == len(HOSTILE_FILES) + 1
    assert all(r["done"] and r["error"] is None for r in summary["refreshes"])
