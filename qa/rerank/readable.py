"""Which sentences can answer at all: a "sentence" of almost no letters never does.

A lone "-" line of a poem, a list number ("1."), a section mark ("* * *") or a stray formula
fragment ("2O") says nothing, yet an embedding can score it as high as a real answer: on
KazQAD, multilingual-e5 chose one lone "-" as the answer to 80 of 764 questions (issue 36).
Such sentences are left out where sentences are pooled for reading, so they are neither
scored nor quoted.
"""

from __future__ import annotations

# At least this many letters (of any script): "Yes." reads, "2)." and "1856 ж." do not.
MIN_LETTERS = 3
# And at least this share of the visible characters: a row of figures with a unit
# ("1990 1995 2000 2005 2010 млн") is a table, not a sentence.
MIN_LETTER_SHARE = 0.15


def is_readable(text: str) -> bool:
    """True when `text` has enough letters to say something (see the module docstring)."""
    letters = sum(char.isalpha() for char in text)
    visible = sum(not char.isspace() for char in text)
    return letters >= MIN_LETTERS and letters >= MIN_LETTER_SHARE * visible
