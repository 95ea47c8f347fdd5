"""One typo per question, in a long word, never in its first letter."""

from __future__ import annotations

import random

from bench.quality.typos import with_typo


def test_one_long_word_gets_one_edit_and_the_rest_is_kept() -> None:
    rng = random.Random(0)
    question = "Who was at the CASIE 2022 symposium in Almaty?"
    for _ in range(200):
        typed = with_typo(question, rng)
        assert typed != question
        changed = [(a, b) for a, b in zip(question.split(), typed.split(), strict=True) if a != b]
        assert len(changed) == 1
        original, typo = changed[0]
        assert original in ("CASIE", "symposium", "Almaty?")
        assert typo[0] == original[0]
        assert abs(len(typo) - len(original)) <= 1


def test_text_without_a_long_word_is_kept() -> None:
    assert with_typo("Who is he?", random.Random(0)) == "Who is he?"
