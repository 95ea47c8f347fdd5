"""A smoke run of bench/speed.py: a tiny index, a few questions, one short wrk run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.speed import main
from tests.conftest import DATA

pytestmark = pytest.mark.slow


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_speed_bench_measures_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "speed.json"
    args = [
        "--squad", str(DATA / "squad_slice.json"),
        "--docs", "6", "--queries", "4", "--duration", "2", "--concurrency", "1", "2",
        "--out", str(out),
    ]  # fmt: skip
    assert main(args) == 0
    results = json.loads(out.read_text())
    indexing = results["indexing"]
    assert indexing["documents"] == 6
    assert indexing["chunks_per_s"] > 0
    assert indexing["raw_chunks_per_s"] > 0
    assert results["in_process"]["count"] == 4
    assert results["http"]["latency_ms_p50"] > 0
    assert set(results["load"]) == {"1", "2"}
    assert results["load"]["2"]["failed"] == 0
    assert results["server"]["cold_start_s"] >= results["server"]["up_s"] > 0
    assert results["server"]["rss_mb"] > 100
    assert results["machine"]["cores"] >= 1
    printed = capsys.readouterr().out
    assert "## Throughput" in printed
    assert "Timed on " in printed
