"""`python -m train.reader` end to end on a tiny data set: groups labelled by the real
teacher, a few real training steps, a checkpoint it resumes from, weights the product
loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.reader.card import ReaderCard
from qa.reader.pairs import ReaderInput
from qa.reader.reader import Reader
from train.data import DataPaths, read_groups
from train.reader import main

CONTEXT = (
    "Force is any interaction that changes the motion of an object. "
    "Isaac Newton described forces in his laws of motion in 1687. "
    "The unit of force is the newton."
)


def _squad(path: Path, version: str, unanswerable: bool) -> Path:
    qas: list[dict[str, object]] = [
        {
            "id": "q1",
            "question": "Who described forces in laws of motion?",
            "answers": [{"text": "Isaac Newton", "answer_start": CONTEXT.index("Isaac Newton")}],
        },
        {
            "id": "q2",
            "question": "What is the unit of force?",
            "answers": [{"text": "the newton", "answer_start": CONTEXT.index("the newton")}],
        },
    ]
    if unanswerable:
        qas = [
            {
                "id": "q3",
                "question": "Who measured the speed of light?",
                "answers": [],
                "is_impossible": True,
            }
        ]
    data = {
        "version": version,
        "data": [
            {"title": "Force", "paragraphs": [{"context": CONTEXT, "qas": qas}]},
            {
                "title": "Rhine",
                "paragraphs": [{"context": "The Rhine flows through Basel.", "qas": []}],
            },
        ],
    }
    path.write_text(json.dumps(data), "utf-8")
    return path


def _ntrex(folder: Path) -> Path:
    folder.mkdir()
    rows = {
        "newstest2019-src.eng.txt": ["The river is long.", "The city is old.", "I like tea."],
        "newstest2019-ref.rus.txt": ["Река длинная.", "Город старый.", "Я люблю чай."],
        "newstest2019-ref.kaz.txt": ["Өзен ұзын.", "Қала ескі.", "Мен шайды жақсы көремін."],
    }
    for name, lines in rows.items():
        (folder / name).write_text("\n".join(lines) + "\n", "utf-8")
    return folder


@pytest.mark.slow
def test_training_writes_weights_the_product_reads_and_resumes(tmp_path: Path) -> None:
    paths = DataPaths(
        _squad(tmp_path / "v1.json", "1.1", unanswerable=False),
        _squad(tmp_path / "v2.json", "v2.0", unanswerable=True),
        ntrex=_ntrex(tmp_path / "ntrex"),
    )
    work, out = tmp_path / "work", tmp_path / "weights"
    argv = [
        "--squad-v1",
        str(paths.squad_v1),
        "--squad-v2",
        str(paths.squad_v2),
        "--ntrex",
        str(paths.ntrex),
        "--work",
        str(work),
        "--out",
        str(out),
        "--epochs",
        "1",
        "--span-epochs",
        "1",
        "--no-progress",
    ]
    main(argv)

    groups = read_groups(work / "groups.jsonl")
    kinds = {g.kind for g in groups}
    assert {"squad", "squad_unanswerable", "parallel"} <= kinds
    answer = next(p for g in groups if g.kind == "squad" for p in g.passages if p.answer)
    assert answer.label == 1
    assert answer.answer is not None
    assert answer.sentence[answer.answer[0] : answer.answer[1]] in ("Isaac Newton", "the newton")
    assert all(isinstance(p.teacher, float) for g in groups for p in g.passages)
    assert (work / "curve.png").stat().st_size > 0
    card = ReaderCard.read(out)
    assert card.training["squad_training_articles"]
    assert set(card.training["steps"]) == {"reader", "spans"}

    readings = Reader(out).read(
        "Who described forces?", [ReaderInput("Force.", CONTEXT.split(". ")[1])]
    )
    assert len(readings) == 1
    assert readings[0].span is not None

    # A second run resumes from the finished checkpoint: nothing is trained again.
    before = (work / "checkpoint.pt").stat().st_mtime_ns
    main(argv)
    assert (work / "checkpoint.pt").stat().st_mtime_ns == before
    assert ReaderCard.read(out).sha256 == card.sha256

    # Span data in another language, trained from the weights above in bfloat16: only the
    # span phase runs, and the card records what it started from.
    spans = tmp_path / "spans.json"
    context = "Рейн течёт через Базель. Его длина 1233 километра. Он впадает в Северное море."
    qa = {
        "id": "ru1",
        "question": "Какова длина Рейна?",
        "answers": [{"text": "1233 километра", "answer_start": context.index("1233")}],
    }
    articles = [{"title": "Рейн", "paragraphs": [{"context": context, "qas": [qa]}]}]
    spans.write_text(json.dumps({"data": articles}, ensure_ascii=False), "utf-8")
    tuned = tmp_path / "tuned"
    options = ["--epochs", "0", "--spans", str(spans), "--init", str(out), "--bfloat16"]
    main([*argv[:6], "--work", str(tmp_path / "work2"), "--out", str(tuned), *argv[10:], *options])

    groups = read_groups(tmp_path / "work2" / "groups.jsonl")
    (russian,) = [g for g in groups if g.kind == "span"]
    assert russian.passages[0].sentence == "Его длина 1233 километра."
    tuned_card = ReaderCard.read(tuned)
    assert tuned_card.training["init"]["sha256"] == card.sha256
    assert tuned_card.training["init"]["training"]["steps"] == card.training["steps"]
    assert tuned_card.training["steps"]["reader"] == 0
    assert tuned_card.training["steps"]["spans"] > 0
    assert tuned_card.training["settings"]["bfloat16"] is True
    assert list(tuned_card.training["data_sha256"]["spans"]) == ["spans.json"]
    assert tuned_card.sha256 != card.sha256
    (reading,) = Reader(tuned).read("Какова длина Рейна?", [ReaderInput("Рейн.", "Его длина.")])
    assert reading.span is not None
