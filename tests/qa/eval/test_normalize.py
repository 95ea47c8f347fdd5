"""SQuAD answer normalisation and citation-marker removal."""

from __future__ import annotations

import pytest

from qa.eval.normalize import (
    contains_answer,
    contains_any,
    normalize_answer,
    strip_citation_markers,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Eiffel Tower", "eiffel tower"),
        ("  a   cat,  an apple; THE end. ", "cat apple end"),
        ("Denver Broncos!", "denver broncos"),
        ("theatre and thematic", "theatre and thematic"),  # articles only as whole words
        ("U.S.-based", "usbased"),
        ("", ""),
    ],
)
def test_normalize_answer_follows_the_squad_script(text: str, expected: str) -> None:
    assert normalize_answer(text) == expected


def test_citation_markers_are_removed_with_their_space() -> None:
    answer = "Formed in 1990, BSkyB grew. [1] It merged later. [2][3]"
    assert strip_citation_markers(answer) == "Formed in 1990, BSkyB grew. It merged later."


def test_contains_answer_matches_whole_tokens_only() -> None:
    assert contains_answer("It opened in 1990. [1]", "1990")
    assert contains_answer("The Denver Broncos won.", "denver broncos")
    assert not contains_answer("It opened in 19901.", "1990")
    assert not contains_answer("anything", "the")  # normalises to nothing: never matched


def test_contains_any_needs_one_gold() -> None:
    assert contains_any("Paris is the capital", ["London", "Paris"])
    assert not contains_any("Paris is the capital", [])
