"""bench/cross_lingual_ceiling.py: translated questions searched with the question
encoder, with e5, and where a perfect encoder would put them, on a SQuAD slice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.cross_lingual_ceiling import SEARCHES, main, shares

SLICE = Path(__file__).resolve().parents[1] / "data" / "squad_slice.json"
RUSSIAN = {
    "57092322efce8f15003a7db0": "Какая компания образовалась в результате слияния "
    "Sky Television и British Satellite Broadcasting?",
    "57092322efce8f15003a7db2": "В каком году BSkyB приобрела Sky Italia?",
    "57092322efce8f15003a7db3": "Как называется холдинговая компания BSkyB?",
}


def test_shares_count_ranks_within_each_depth() -> None:
    assert shares([1, 3, 7, None]) == {"top 1": 0.25, "top 5": 0.5, "top 20": 0.75}


@pytest.mark.slow
def test_translated_questions_are_searched_each_way(tmp_path: Path) -> None:
    translated = tmp_path / "slice.ru.jsonl"
    translated.write_text(
        "".join(
            json.dumps({"id": qid, "question": text, "answers": ["x"]}, ensure_ascii=False) + "\n"
            for qid, text in RUSSIAN.items()
        ),
        "utf-8",
    )
    out = tmp_path / "ceiling.json"
    args = ["--squad-v1", str(SLICE), "--translated", str(translated)]
    assert main([*args, "--index-root", str(tmp_path), "--out", str(out), "--no-progress"]) == 0

    result = json.loads(out.read_text())["slice.ru.jsonl"]
    assert result["questions"] == {"count": 3}
    assert set(result) == {*SEARCHES, "questions"}
    # The English questions find their paragraph, in English and as a perfect encoder would.
    assert result["English original, in English"]["top 5"] == 1.0
    assert result["perfect encoder"]["top 5"] == 1.0
    for search in SEARCHES:
        figures = result[search]
        assert 0 <= figures["top 1"] <= figures["top 5"] <= figures["top 20"] <= 1
