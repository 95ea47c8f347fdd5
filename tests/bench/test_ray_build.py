"""A smoke run of bench/ray_build.py: a few SQuAD paragraphs built in one process and on a
local Ray cluster the script starts itself (a head and a worker node on loopback), a few
questions asked of both; the two indexes agree in full."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("ray")

from bench.ray_build import main
from tests.conftest import DATA

pytestmark = pytest.mark.slow


def test_the_ray_build_bench_reports_full_agreement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ray_build.json"
    args = ["--squad", str(DATA / "squad_slice.json"), "--docs", "6", "--questions", "4"]
    assert main([*args, "--out", str(out)]) == 0
    results = json.loads(out.read_text("utf-8"))
    assert results["agreement"] is True
    assert (results["documents"], results["questions"]) == (6, 4)
    assert results["cluster"]["started_here"] is True
    assert results["cluster"]["cpus"] == 2
    assert all(results["tables"].values())
    assert {"chunks", "sentences"} <= set(results["vectors"])
    for kind, vectors in results["vectors"].items():
        assert vectors["min_cosine"] > 0.9999, kind
        # in bfloat16 (index.runtime.precision) a vector moves a little with its batch-mates
        assert vectors["max_abs_diff"] < 5e-3, kind
    answers = results["answers"]
    assert (answers["identical"], answers["asked"], answers["differing"]) == (4, 4, [])
    assert results["single_process_s"] > 0
    assert results["ray_s"] > 0
    ray = results["ray"]
    assert 1 <= len(ray["workers"]) <= 2
    assert sum(w["documents"] for w in ray["workers"].values()) == 6
    assert sum(w["chunks"] for w in ray["workers"].values()) == results["chunks"]
    assert all(w["chunks_per_s"] > 0 for w in ray["workers"].values())
    assert ray["printed"][-1].startswith("ray: wall ")
    printed = capsys.readouterr().out
    assert "4/4 identical" in printed
    assert "chunks/s while busy" in printed
