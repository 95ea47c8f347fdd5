"""Sentences of almost no letters are never pooled for reading, so never an answer."""

from __future__ import annotations

import pytest

from index.types import Document
from qa.factory import build_pipeline
from qa.models import Models
from qa.pipeline import QAPipeline
from qa.rerank.readable import is_readable
from tests.conftest import make_test_builder


@pytest.mark.parametrize(
    "text",
    [
        "-",
        "—",
        "1.",
        "2).",
        "* * *",
        "[...]",
        "2O",
        "1856 ж.",
        "12:30",
        "1990 1995 2000 2005 2010 млн",
    ],
)
def test_almost_no_letters_is_not_readable(text: str) -> None:
    assert not is_readable(text)


@pytest.mark.parametrize(
    "text",
    [
        "Yes.",
        "Нет.",
        "Абай 1845 жылы туған.",
        "Oxygen condenses at 90.20 K (−182.95 °C, −297.31 °F).",
        "Жылд. 0,9 – 1,9 км/сағ.",
        "The years: 1360–63; 1374; 1400; 1438–39; 1456–57; and 1464–66.",
    ],
)
def test_sentences_with_words_are_readable(text: str) -> None:
    assert is_readable(text)


POEM = (
    "Абай жолы\n"
    "Абай Құнанбайұлы 1845 жылы Шыңғыстау баурайында дүниеге келген.\n"
    "-\n"
    "Ол қазақтың ұлы ақыны, ағартушысы және аудармашысы болған.\n"
    "* * *\n"
    "1.\n"
    "Абай орыс ақындарының өлеңдерін қазақ тіліне аударған.\n"
    "2.\n"
    "Ақын 1904 жылы қайтыс болған.\n"
)
QUESTIONS = (
    "Абай қай жылы туған?",
    "Абай кім болған?",
    "Абай нені аударған?",
    "Абай қашан қайтыс болды?",
    "Абай қайда туған?",
)


@pytest.fixture(scope="module")
def poem_pipeline(tmp_path_factory: pytest.TempPathFactory, models: Models) -> QAPipeline:
    document = Document("abai.txt", "Абай жолы", "abai.txt", "kk", POEM)
    builder = make_test_builder(tmp_path_factory.mktemp("poem-index"), models)
    snapshot, _ = builder.build([document])
    return build_pipeline(snapshot, models=models)


@pytest.mark.parametrize("question", QUESTIONS)
def test_lone_marks_and_numbers_are_never_read_or_quoted(
    poem_pipeline: QAPipeline, question: str
) -> None:
    snapshot = poem_pipeline.snapshot
    evidence = poem_pipeline.evidence(question)
    assert evidence.sentences
    assert all(is_readable(snapshot.sentence_text(s.row)) for s in evidence.sentences)
    answer = poem_pipeline.ask(question)
    assert all(is_readable(citation.quote) for citation in answer.citations)
