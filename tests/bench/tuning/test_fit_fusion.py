"""bench/tuning/fit_fusion.py: grid points fuse the real candidate lists and are ranked by them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.tuning.fit_fusion import Lists, Point, main, objective, scores
from qa.retrieval.hybrid import DENSE, KEYWORD, MULTILINGUAL
from qa.settings import QASettings
from tests.conftest import DATA

# Chunk 2 is the gold: BM25 ranks it first, both dense lists second.
LISTS = Lists(named=[(DENSE, [1, 2]), (DENSE, [1, 2]), (KEYWORD, [2, 1])], gold=frozenset({2}))


def test_the_weights_decide_which_list_wins() -> None:
    keyword_heavy = scores(Point(rrf_k=3, multilingual_weight=1, keyword_weight=3), [LISTS])
    assert keyword_heavy == {"hit@1": 1.0, "hit@5": 1.0, "mrr@10": 1.0}
    dense_heavy = scores(Point(rrf_k=3, multilingual_weight=1, keyword_weight=1), [LISTS])
    assert dense_heavy == {"hit@1": 0.0, "hit@5": 1.0, "mrr@10": 0.5}
    assert objective(keyword_heavy) > objective(dense_heavy)


def test_a_question_whose_gold_no_list_holds_scores_nothing() -> None:
    missed = Lists(named=[(MULTILINGUAL, [4, 5])], gold=frozenset())
    assert scores(Point(3, 1, 1), [missed]) == {"hit@1": 0.0, "hit@5": 0.0, "mrr@10": 0.0}


@pytest.mark.slow
def test_the_fit_ranks_grid_points_on_their_questions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fusion.json"
    argv = ["--squad-v1", str(DATA / "squad_slice.json"), "--index-root", str(tmp_path)]
    argv += ["--held-out", "50", "--questions", "100", "--top", "3", "--out", str(out)]
    assert main([*argv, "--no-progress"]) == 0
    points = json.loads(out.read_text())["points"]
    assert [p["label"] for p in points] == ["current", "#1", "#2", "#3"]
    current = QASettings()
    assert points[0]["rrf_k"] == current.rrf_k
    assert points[0]["keyword_weight"] == current.keyword_weight / current.dense_weight
    fitted = [objective(p["fit"]) for p in points]
    assert fitted[1] >= fitted[2] >= fitted[3]
    assert fitted[1] >= fitted[0]  # the current settings are a point of the grid
    for point in points:
        for metrics in (point["fit"], point["held_out"]):
            assert 0 < metrics["hit@1"] <= metrics["mrr@10"] <= metrics["hit@5"] <= 1
    assert f"| current | {current.rrf_k} |" in capsys.readouterr().out
