"""bench/line_breaks.py: gold sentences cut by line breaks, before and after."""

from __future__ import annotations

import json
from pathlib import Path

from bench.line_breaks import after, before, compare, flat, main

SETS = Path(__file__).resolve().parents[2] / "bench" / "data" / "corpora"


def test_before_cuts_every_line_and_after_keeps_wrapped_sentences() -> None:
    text = "Section 1\nThe lamp was lit every night of the long\nwinter of 1952. It burnt oil."
    gold = [
        "Section 1",
        "The lamp was lit every night of the long winter of 1952.",
        "It burnt oil.",
    ]
    assert compare(gold, before(text)) == {"gold": 3, "cut": 1, "merged": 0}
    assert compare(gold, after(text)) == {"gold": 3, "cut": 0, "merged": 0}


def test_a_sentence_holding_two_gold_ones_is_merged() -> None:
    gold = ["First one here.", "Second one here."]
    assert compare(gold, ["First one here. Second one here."])["merged"] == 1


def test_ligatures_and_hyphens_at_line_ends_compare_as_their_text() -> None:
    assert flat("a ﬁne four-\ncourse\n meal") == "a fine four-course meal"


def test_plain_text_of_a_set(tmp_path: Path, capsys: object) -> None:
    out = tmp_path / "lines.json"
    args = ["--set", str(SETS / "ru"), "--paragraphs", "5", "--no-pdf", "--out", str(out)]
    assert main(args) == 0
    results = json.loads(out.read_text())
    ru = results["plain_text"]["ru"]
    assert ru["before"]["gold"] == ru["after"]["gold"] > 0
    assert ru["after"]["cut"] < ru["before"]["cut"]
    assert results["as_they_are"]["ru"]["after"]["over_structure"] == 0
