"""Questions as a hurried user types them: one typo in one word."""

from __future__ import annotations

import random
import re

_LONG_WORD = re.compile(r"[A-Za-z]{5,}")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def with_typo(text: str, rng: random.Random) -> str:
    """`text` with one typo in one of its words of five letters or more, never in the first
    letter: a letter deleted, doubled or replaced, or two neighbours swapped. Text without
    such a word is returned as it is."""
    words = list(_LONG_WORD.finditer(text))
    if not words:
        return text
    match = rng.choice(words)
    word = match.group()
    at = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("delete", "double", "replace", "swap"))
    if kind == "delete":
        typo = word[:at] + word[at + 1 :]
    elif kind == "double":
        typo = word[:at] + word[at] + word[at:]
    elif kind == "replace":
        typo = word[:at] + rng.choice(_LETTERS.replace(word[at].lower(), "")) + word[at + 1 :]
    else:
        typo = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if typo == word:  # two equal letters swapped
        typo = word[:at] + word[at + 1 :]
    return text[: match.start()] + typo + text[match.end() :]
