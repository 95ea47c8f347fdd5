"""Routing: which questions take the multilingual path over the corpus languages."""

from __future__ import annotations

import json

import pytest

from qa.routing import corpus_languages, is_cross_lingual, takes_multilingual_path
from tests.conftest import DATA

ENGLISH = corpus_languages({"en"}, {"LATIN"})


def latin_script_questions() -> list[dict[str, str]]:
    path = DATA / "latin_script_questions.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def squad_questions() -> list[str]:
    data = json.loads((DATA / "squad_slice.json").read_text("utf-8"))["data"]
    return [qa["question"] for a in data for p in a["paragraphs"] for qa in p["qas"]]


def test_latin_script_questions_in_other_languages_are_cross_lingual() -> None:
    rows = latin_script_questions()
    assert len({row["lang"] for row in rows}) == 10
    kept = [row for row in rows if not is_cross_lingual(row["question"], ENGLISH)]
    assert kept == []


@pytest.mark.parametrize(
    "question",
    [
        # Lingua alone is 99% sure these are Latin, German and Esperanto.
        "When will the 2023 Central Asian Symposium on ICT in Education be held?",
        "When was the Battle of Frankenhausen?",
        "What inventor built on to the findings of Philo of  Byzantium?",
    ],
)
def test_english_questions_full_of_names_stay_on_the_english_path(question: str) -> None:
    assert not is_cross_lingual(question, ENGLISH)


def test_english_squad_questions_stay_on_the_english_path() -> None:
    questions = squad_questions()
    routed = [q for q in questions if is_cross_lingual(q, ENGLISH)]
    assert len(routed) <= len(questions) // 100, routed


def test_short_queries_stay_in_the_corpus_language() -> None:
    assert not is_cross_lingual("CASIE 2022 Almaty", ENGLISH)


def test_another_script_is_cross_lingual_and_a_corpus_script_is_not() -> None:
    question = "Где прошёл симпозиум CASIE 2022?"
    assert is_cross_lingual(question, ENGLISH)
    assert not is_cross_lingual(question, corpus_languages({"ru"}, {"CYRILLIC"}))


def test_a_corpus_language_without_stop_words_needs_a_sure_identification() -> None:
    uzbek = corpus_languages({"uz"}, {"LATIN"})
    assert is_cross_lingual(
        "How many experts from international organizations attended the symposium?", uzbek
    )
    assert not is_cross_lingual("Simpozium qaysi shaharda bo'lib o'tdi?", uzbek)


def test_the_english_models_serve_only_english_questions_over_english_text() -> None:
    russian = corpus_languages({"ru"}, {"CYRILLIC"})
    mixed = corpus_languages({"en", "ru"}, {"LATIN", "CYRILLIC"})
    question_ru = "Где прошёл симпозиум CASIE 2022?"
    question_en = "Where was the CASIE 2022 symposium held?"
    assert takes_multilingual_path(question_ru, russian)
    assert takes_multilingual_path(question_en, russian)
    assert takes_multilingual_path(question_ru, mixed)
    assert not takes_multilingual_path(question_en, mixed)
    assert not takes_multilingual_path(question_en, ENGLISH)
    assert takes_multilingual_path("Симпозиум", ENGLISH)


def test_documents_of_unidentified_language_leave_english_questions_on_the_english_path() -> None:
    unknown = corpus_languages({"und"}, {"LATIN"})
    assert not takes_multilingual_path("Where was the CASIE 2022 symposium held?", unknown)


def test_regional_and_three_letter_tags_name_the_same_language() -> None:
    for tag in ("en-US", "EN", "eng"):
        corpus = corpus_languages({tag}, {"LATIN"})
        assert not takes_multilingual_path("Where was the CASIE 2022 symposium held?", corpus)
        assert takes_multilingual_path("Где прошёл симпозиум?", corpus)
