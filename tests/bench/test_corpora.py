"""bench/corpora.py: junk and cut quotes, and a small set asked beside BM25."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.corpora import cut_by_line_break, is_junk, main

SETS = Path(__file__).resolve().parents[2] / "bench" / "data" / "corpora"


@pytest.mark.parametrize(("text", "junk"), [("-", True), ("1.", True), ("Ол келді.", False)])
def test_junk_is_a_sentence_of_almost_no_letters(text: str, junk: bool) -> None:
    assert is_junk(text) is junk


def test_a_quote_is_cut_where_the_next_line_goes_on_in_lower_case() -> None:
    text = "Көшетті 40-60\nкүндік көшеті пайдаланылады.\nЖаңа сөйлем."
    first = text.index("\n")
    assert cut_by_line_break(text, 0, first)  # stops before "күндік"
    assert cut_by_line_break(text, first + 1, text.index(".") + 1)  # starts with "күндік"
    whole = text.index(".") + 1
    assert not cut_by_line_break(text, 0, whole)
    assert not cut_by_line_break(text, whole + 1, len(text))


@pytest.mark.slow
def test_a_small_russian_set_is_asked_beside_bm25(tmp_path: Path) -> None:
    out = tmp_path / "corpora.json"
    args = ["--set", str(SETS / "ru"), "--limit", "6", "--index-root", str(tmp_path)]
    assert main([*args, "--out", str(out), "--no-progress"]) == 0
    result = json.loads(out.read_text())["sets"]["ru"]
    assert result["questions"] == 6
    assert set(result["anchors"]) == {"BM25 (bm25s)", "BM25, Russian stemmer"}
    assert 0 <= result["citeqa"]["hit@5"] <= 1
    assert len(result["per_question"]) == 6
