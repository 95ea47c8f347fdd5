"""Language signals: script, identification and stop-word share."""

from __future__ import annotations

import pytest

from index.text.language import (
    detect_language,
    dominant_script,
    primary_language,
    stopword_language,
    stopword_share,
    text_language,
)


def test_stopword_share_counts_the_words_of_any_listed_language() -> None:
    assert stopword_share("What is the capital of France?", ["en"]) == pytest.approx(4 / 6)
    assert stopword_share("Wo fand das Symposium statt?", ["en"]) == 0.0
    assert stopword_share("Wo fand das Symposium statt?", ["en", "de"]) == pytest.approx(2 / 5)


def test_stopword_share_is_unknown_without_a_list_or_words() -> None:
    assert stopword_share("Simpozium qayerda bo'ldi?", ["uz"]) is None
    assert stopword_share("2022 — 2023", ["en"]) is None


def test_script_and_language() -> None:
    assert dominant_script("Где прошёл симпозиум?") == "CYRILLIC"
    assert dominant_script("12345") is None
    assert detect_language("Где прошёл симпозиум в Алматы в 2022 году?") == "ru"
    assert detect_language("ok") is None


def test_stopword_language_is_the_clear_leader_above_a_quarter() -> None:
    assert stopword_language("When was the Battle of Frankenhausen?") == "en"
    assert stopword_language("¿Cuándo se celebró el simposio en Almaty?") == "es"
    assert stopword_language("Simpozium qaysi shaharda bo'lib o'tdi?") is None


def test_text_language_asks_stop_words_before_lingua() -> None:
    roman = "Marcus Aurelius Antoninus and Lucius Verus ruled the Roman Empire from Rome."
    assert detect_language(roman) == "la"  # trigrams of Latin names
    assert text_language(roman) == "en"
    assert text_language("Где прошёл симпозиум в Алматы в 2022 году?") == "ru"  # Lingua
    assert text_language("12345") is None


@pytest.mark.parametrize(
    ("tag", "code"),
    [("en", "en"), ("EN", "en"), ("en-US", "en"), ("en_GB", "en"), ("eng", "en"), ("rus", "ru")],
)
def test_primary_language_reads_tags_as_iso_639_1(tag: str, code: str) -> None:
    assert primary_language(tag) == code


def test_primary_language_keeps_tags_it_cannot_map() -> None:
    assert primary_language("und") == "und"
    assert primary_language("zh-Hant-TW") == "zh"
