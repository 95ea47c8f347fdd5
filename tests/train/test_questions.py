"""train/questions: our hand translations of SQuAD training-article questions, read by
train.data.translated_questions; none is a question the benchmarks or calibration ask."""

from __future__ import annotations

import json
import re
from pathlib import Path

from qa.eval.datasets import load_dataset
from train.data import TranslatedQuestion, translated_questions

ROOT = Path(__file__).resolve().parents[2]
FILES = {
    lang: ROOT / "train" / "questions" / f"squad_training.{lang}.jsonl" for lang in ("ru", "kk")
}
ASKED_ELSEWHERE = [
    *(ROOT / "bench" / "data").glob("squad_translated.*.jsonl"),
    *(ROOT / "bench" / "data" / "calibration").glob("*.jsonl"),
]
CYRILLIC = re.compile("[\u0400-\u04ff]")


def test_both_files_translate_the_same_questions_in_order() -> None:
    read = {lang: translated_questions([path]) for lang, path in FILES.items()}
    assert [q.id for q in read["ru"]] == [q.id for q in read["kk"]]
    assert len({q.id for q in read["ru"]}) == len(read["ru"]) == 594
    for lang, questions in read.items():
        assert all(q.lang == lang for q in questions)
        assert all(CYRILLIC.search(q.question) and q.english for q in questions)
    assert [q.english for q in read["ru"]] == [q.english for q in read["kk"]]


def test_no_training_question_is_asked_by_a_benchmark_or_the_calibration() -> None:
    assert ASKED_ELSEWHERE
    training = {q.id for q in translated_questions(list(FILES.values()))}
    for path in ASKED_ELSEWHERE:
        asked = {q.id for q in load_dataset(path).questions}
        assert not training & asked, path.name


def test_translated_questions_are_read_from_every_file(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "question": "Кто победил?", "source_question": "Who won?", "lang": "ru"},
        {"id": "a", "question": "Кім жеңді?", "source_question": "Who won?", "lang": "kk"},
    ]
    first, second = tmp_path / "ru.jsonl", tmp_path / "kk.jsonl"
    first.write_text(json.dumps(rows[0], ensure_ascii=False) + "\n\n", "utf-8")
    second.write_text(json.dumps(rows[1], ensure_ascii=False) + "\n", "utf-8")

    assert translated_questions([first, second]) == [
        TranslatedQuestion("a", "ru", "Кто победил?", "Who won?"),
        TranslatedQuestion("a", "kk", "Кім жеңді?", "Who won?"),
    ]
