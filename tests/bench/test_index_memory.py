"""A small run of bench/index_memory.py: `citeqa index` on a corpus and on twice it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.index_memory import main
from index.snapshots.snapshot import read_manifest
from tests.conftest import DATA

pytestmark = pytest.mark.slow


def test_index_memory_reports_each_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "memory.json"
    args = [
        "--squad", str(DATA / "squad_slice.json"), "--paragraphs", "6", "--times", "2", "1",
        "--no-multilingual", "--work", str(tmp_path / "work"), "--out", str(out),
    ]  # fmt: skip
    assert main(args) == 0
    runs = json.loads(out.read_text())["runs"]
    assert [(r["times"], r["documents"]) for r in runs] == [(1, 6), (2, 12)]
    for run in runs:
        assert run["peak_rss_mib"] > 100  # the models alone are more
        assert max(run["peak_rss_by_quarter_mib"]) <= run["peak_rss_mib"]
        index = tmp_path / "work" / f"index-x{run['times']}" / "snapshots"
        (snapshot,) = index.iterdir()
        assert len(read_manifest(snapshot).documents) == run["documents"]
    printed = capsys.readouterr().out
    assert "| 2x | 12 |" in printed
