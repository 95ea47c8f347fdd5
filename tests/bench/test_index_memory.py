"""A smoke run of bench/index_memory.py: two tiny corpora, citeqa index as a child process."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bench import index_memory
from tests.conftest import DATA

pytestmark = pytest.mark.slow


def test_peak_memory_is_measured_for_each_corpus_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "memory.json"
    argv = ["index_memory.py", "--squad", str(DATA / "squad_slice.json"), "--paragraphs", "2"]
    argv += ["--times", "1", "2", "--vector-store", "faiss", "--work", str(tmp_path)]
    monkeypatch.setattr(sys, "argv", [*argv, "--out", str(out)])
    monkeypatch.setenv("CITEQA_MULTILINGUAL_MODEL", "")
    index_memory.main()
    runs = json.loads(out.read_text())["runs"]
    assert [r["documents"] for r in runs] == [2, 4]
    assert runs[1]["corpus_mib"] == pytest.approx(2 * runs[0]["corpus_mib"])
    assert all(r["peak_rss_citeqa_mib"] > 50 and r["seconds"] > 0 for r in runs)
    for run in runs:  # the peak so far never falls, and ends at the peak
        quarters = run["peak_rss_citeqa_by_quarter_mib"]
        assert quarters == sorted(quarters)
        assert quarters[-1] == run["peak_rss_citeqa_mib"]
    assert len(list((tmp_path / "corpus-x2").iterdir())) == 4
    assert "| 2x | 4 |" in capsys.readouterr().out
