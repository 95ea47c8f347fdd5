"""bench/small_corpora.py: articles indexed alone, each asked its own and others' questions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.small_corpora import THRESHOLDS, Asked, main, pick_articles, summary
from tests.conftest import DATA


def asked(answerable: bool, abstained: tuple[bool, bool], contains: bool = False) -> Asked:
    return Asked(
        answerable=answerable,
        unseen_terms=False,
        abstained=dict(zip(THRESHOLDS, abstained, strict=True)),
        contains=dict.fromkeys(THRESHOLDS, contains),
    )


def test_articles_are_spread_over_the_titles() -> None:
    titles = [f"t{i:02d}" for i in range(10)]
    assert pick_articles(titles, 3) == ["t00", "t03", "t06"]
    assert pick_articles(titles, 20) == titles
    assert pick_articles(titles, 0) == []


def test_the_summary_counts_each_threshold_on_its_own() -> None:
    """A question the stricter bar abstains on counts against the calibrated thresholds only."""
    rows = [
        asked(True, (True, False)),
        asked(True, (False, False), contains=True),
        asked(False, (True, True)),
        asked(False, (True, False)),
    ]
    calibrated, base = (summary(rows)[name] for name in THRESHOLDS)
    assert calibrated["false_abstain_rate"] == 0.5
    assert calibrated["abstain_recall"] == 1.0
    assert base["false_abstain_rate"] == 0.0
    assert base["abstain_recall"] == 0.5
    assert calibrated["answer_contains"] == base["answer_contains"] == 0.5


@pytest.mark.slow
def test_each_article_is_asked_its_own_questions_and_as_many_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The slice's two articles, four questions each: the base threshold is never stricter
    than the calibrated ones, so it abstains on no more questions of either kind."""
    out = tmp_path / "small.json"
    args = ["--squad-v1", str(DATA / "squad_slice.json"), "--index-root", str(tmp_path)]
    assert main([*args, "--articles", "2", "--questions", "4", "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    assert len(results["articles"]) == 2
    assert results["answerable"] == results["out_of_corpus"] == 8
    calibrated, base = (results["thresholds"][name] for name in THRESHOLDS)
    assert base["false_abstain_rate"] <= calibrated["false_abstain_rate"]
    assert base["abstain_recall"] <= calibrated["abstain_recall"]
    assert calibrated["answer_contains"] > 0.0
    assert "| calibrated |" in capsys.readouterr().out
