"""`python -m train.question_encoder` end to end on a tiny parallel set and two translated
questions: real teacher vectors, a few real steps, a checkpoint it resumes from, weights
the product loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.embedders import Embedder
from qa.question_encoder.encoder import QuestionEncoder
from qa.question_encoder.files import FILES
from qa.reader.card import ReaderCard
from train.question_encoder import main

CITIES = ["Almaty", "Astana", "Paris", "Rome", "Cairo", "Lima", "Oslo", "Tokyo", "Delhi", "Quito"]


def _ntrex(folder: Path) -> Path:
    folder.mkdir()
    english, russian, kazakh = [], [], []
    for number, city in enumerate(CITIES):
        english += [f"The museum in {city} opened in {1900 + number}.", f"Is {city} far away?"]
        russian += [f"Музей в {city} открылся в {1900 + number} году.", f"{city} далеко?"]
        kazakh += [f"{city} қаласындағы мұражай {1900 + number} жылы ашылды.", f"{city} алыс па?"]
    for name, lines in (
        ("newstest2019-src.eng.txt", english),
        ("newstest2019-ref.rus.txt", russian),
        ("newstest2019-ref.kaz.txt", kazakh),
    ):
        (folder / name).write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def _questions(path: Path) -> Path:
    rows = [
        {"id": "q1", "question": "Где находится Осло?", "source_question": "Where is Oslo?"},
        {"id": "q1", "question": "Осло қайда орналасқан?", "source_question": "Where is Oslo?"},
    ]
    text = "".join(
        json.dumps({**row, "lang": lang}, ensure_ascii=False) + "\n"
        for row, lang in zip(rows, ("ru", "kk"), strict=True)
    )
    path.write_text(text, "utf-8")
    return path


@pytest.mark.slow
def test_training_writes_weights_the_product_reads_and_resumes(
    tmp_path: Path, multilingual_embedder: Embedder
) -> None:
    work, out = tmp_path / "work", tmp_path / "weights"
    argv = [
        *("--ntrex", str(_ntrex(tmp_path / "ntrex"))),
        *("--questions", str(_questions(tmp_path / "questions.jsonl"))),
        *("--work", str(work), "--out", str(out)),
    ]
    main([*argv, "--epochs", "1", "--no-progress"])

    card = ReaderCard.read(out, FILES.card)
    assert card.training["steps"] > 0
    assert card.training["pairs"]["training"] + card.training["pairs"]["held_out"] == 42
    assert set(card.training["data_sha256"]["questions"]) == {"questions.jsonl"}
    assert set(card.training["data_sha256"]["ntrex"]) == {
        "newstest2019-src.eng.txt",
        "newstest2019-ref.rus.txt",
        "newstest2019-ref.kaz.txt",
    }
    assert (work / "curve.png").stat().st_size > 0
    vectors = QuestionEncoder(multilingual_embedder, directory=out).embed_queries(["Oslo алыс па?"])
    assert vectors.shape == (1, multilingual_embedder.dim)

    # A second run resumes from the finished checkpoint: nothing is trained again.
    before = (work / "checkpoint.pt").stat().st_mtime_ns
    main([*argv, "--epochs", "1", "--no-progress"])
    assert (work / "checkpoint.pt").stat().st_mtime_ns == before
    assert ReaderCard.read(out, FILES.card).sha256 == card.sha256


def test_a_run_without_data_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--work", str(tmp_path / "work")])
