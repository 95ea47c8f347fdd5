"""bench/cross_lingual_ceiling.py: translated questions searched with the question
encoder, with e5, where a perfect encoder would put them, and by their English
translation, on a SQuAD slice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.cross_lingual_ceiling import (
    BACK_SEARCHES,
    SEARCHES,
    main,
    read_back_translations,
    shares,
)

SLICE = Path(__file__).resolve().parents[1] / "data" / "squad_slice.json"
RUSSIAN = {
    "57092322efce8f15003a7db0": "Какая компания образовалась в результате слияния "
    "Sky Television и British Satellite Broadcasting?",
    "57092322efce8f15003a7db2": "В каком году BSkyB приобрела Sky Italia?",
    "57092322efce8f15003a7db3": "Как называется холдинговая компания BSkyB?",
}
# The Russian put back into English without the originals.
BACK = {
    "57092322efce8f15003a7db0": "Which company resulted from the merger of Sky Television "
    "and British Satellite Broadcasting?",
    "57092322efce8f15003a7db2": "In what year did BSkyB acquire Sky Italia?",
    "57092322efce8f15003a7db3": "What is BSkyB's holding company called?",
}


def _questions(path: Path, texts: dict[str, str]) -> Path:
    """A translated-questions file (qa.eval.datasets' JSONL) of `texts` by question id."""
    rows = [{"id": qid, "question": text, "answers": ["x"]} for qid, text in texts.items()]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_back_translations_are_read_by_id(tmp_path: Path) -> None:
    path = _questions(tmp_path / "back.jsonl", BACK)
    assert read_back_translations(path) == BACK


def test_a_question_without_its_english_translation_stops_before_indexing(
    tmp_path: Path,
) -> None:
    translated = _questions(tmp_path / "slice.ru.jsonl", RUSSIAN)
    back = _questions(tmp_path / "back.jsonl", dict(list(BACK.items())[:1]))
    args = ["--squad-v1", str(SLICE), "--back-translated", str(translated), str(back)]
    with pytest.raises(SystemExit, match="no English translation of 2 questions"):
        main([*args, "--index-root", str(tmp_path), "--no-progress"])
    assert set(tmp_path.iterdir()) == {translated, back}  # no index was started


def test_shares_count_ranks_within_each_depth() -> None:
    assert shares([1, 3, 7, None]) == {"top 1": 0.25, "top 5": 0.5, "top 20": 0.75}


@pytest.mark.slow
def test_translated_questions_are_searched_each_way(tmp_path: Path) -> None:
    translated = _questions(tmp_path / "slice.ru.jsonl", RUSSIAN)
    back = _questions(tmp_path / "back.jsonl", BACK)
    out = tmp_path / "ceiling.json"
    args = ["--squad-v1", str(SLICE), "--back-translated", str(translated), str(back)]
    assert main([*args, "--index-root", str(tmp_path), "--out", str(out), "--no-progress"]) == 0

    result = json.loads(out.read_text())["slice.ru.jsonl"]
    assert result["questions"] == {"count": 3}
    assert set(result) == {*SEARCHES, *BACK_SEARCHES, "questions"}
    # The English questions find their paragraph, in English and as a perfect encoder would.
    assert result["English original, in English"]["top 5"] == 1.0
    assert result["perfect encoder"]["top 5"] == 1.0
    assert result["translated back, in English"]["top 5"] == 1.0
    for search in (*SEARCHES, *BACK_SEARCHES):
        figures = result[search]
        assert 0 <= figures["top 1"] <= figures["top 5"] <= figures["top 20"] <= 1
