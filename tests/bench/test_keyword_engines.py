"""A smoke run of bench/keyword_engines.py on the SQuAD slice, with Milvus Lite."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bench import keyword_engines
from tests.conftest import DATA

pytestmark = pytest.mark.slow


def test_both_keyword_engines_find_the_paragraphs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "keyword.json"
    argv = ["keyword_engines.py", "--squad-v1", str(DATA / "squad_slice.json")]
    argv += ["--questions", "20", "--index-dir", str(tmp_path / "index")]
    monkeypatch.setattr(sys, "argv", [*argv, "--work", str(tmp_path / "milvus"), "--out", str(out)])
    monkeypatch.setenv("CITEQA_MULTILINGUAL_MODEL", "")
    keyword_engines.main()
    results = json.loads(out.read_text())
    assert results["questions"] == 20
    for engine in results["engines"].values():
        assert engine["hit@5"] >= 0.7, results
    assert "Milvus BM25 full-text" in capsys.readouterr().out
