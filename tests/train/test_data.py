"""Span data in other languages (train.data.span_groups): the sentence holding the answer,
answers located when their offsets are off, and no paragraph of the SQuAD file's articles."""

from __future__ import annotations

import json
import random
from pathlib import Path

from train.data import span_groups

RUSSIAN = (
    "Алма-Ата расположена на юго-востоке Казахстана. "
    "В 1929 году город стал столицей Казахской АССР. "
    "Столицу перенесли в Астану в 1997 году."
)
CHINESE = "阿拉木图位于哈萨克斯坦东南部。该市在1929年成为首都。首都于1997年迁往阿斯塔纳。"
SQUAD_CONTEXT = (
    "Warsaw is the capital and largest city of Poland, standing on the Vistula River in "
    "east-central Poland, roughly 260 kilometres from the Baltic Sea."
)


def _write(path: Path, articles: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"version": "1.1", "data": articles}, ensure_ascii=False), "utf-8")
    return path


def _article(title: str, context: str, question: str, answer: str, start: int) -> dict[str, object]:
    qa = {"id": title, "question": question, "answers": [{"text": answer, "answer_start": start}]}
    return {"title": title, "paragraphs": [{"context": context, "qas": [qa]}]}


def test_span_groups_hold_the_answer_sentence_and_others_of_its_paragraph(tmp_path: Path) -> None:
    squad = _write(tmp_path / "squad.json", [_article("Warsaw", SQUAD_CONTEXT, "Q?", "Poland", 0)])
    spans = _write(
        tmp_path / "spans.json",
        [
            _article("Алма-Ата", RUSSIAN, "Когда стал столицей?", "1929", RUSSIAN.index("1929")),
            # An offset three characters off, as in some data sets: the answer is found.
            _article("阿拉木图", CHINESE, "首都何时迁往？", "1997年", CHINESE.index("1997") + 3),
        ],
    )

    groups = list(span_groups([spans], squad, random.Random(0)))

    assert [g.kind for g in groups] == ["span", "span"]
    for group, answer in zip(groups, ("1929", "1997年"), strict=True):
        holding, *others = group.passages
        assert holding.label == 1
        assert holding.answer is not None
        assert holding.sentence[holding.answer[0] : holding.answer[1]] == answer
        assert len(others) == 2
        assert all(p.label == 0 and p.answer is None for p in others)
        assert all(answer not in p.sentence for p in others)
        assert group.meta["source"] == "spans.json"


def test_span_groups_leave_out_paragraphs_of_the_squad_articles(tmp_path: Path) -> None:
    squad = _write(tmp_path / "squad.json", [_article("Warsaw", SQUAD_CONTEXT, "Q?", "Poland", 0)])
    copied = SQUAD_CONTEXT + " It has a population of about 1.8 million."
    spans = _write(
        tmp_path / "spans.json",
        [
            _article("Warsaw", "Warsaw has 1.8 million people.", "How many?", "1.8 million", 11),
            _article("Capitals", copied, "How many?", "1.8 million", copied.index("1.8")),
            _article("Алма-Ата", RUSSIAN, "Когда?", "1929", RUSSIAN.index("1929")),
            _article("Nowhere", RUSSIAN, "Когда?", "1812", 0),  # not in the text: no group
        ],
    )

    groups = list(span_groups([spans], squad, random.Random(0)))

    assert [g.question for g in groups] == ["Когда?"]
    assert groups[0].passages[0].sentence.startswith("В 1929 году")
