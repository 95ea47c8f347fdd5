"""Overlapping parts of a long sentence, read on their own by the cross-encoder.

A sentence that lists many facts ("Ms. Elena Klepacheva, Senior Lecturer at ..., Dr. Gunay
Karli, Chief Scientific Officer at ..., Ms. Li Fan, Assistant Director ...") is read by the
cross-encoder as a whole whose one relevant clause weighs little against the rest: it
scores below a short sentence that only names the person asked about. Such a sentence is
also read in parts cut where it has commas or semicolons, each about PART_WORDS long and
overlapping the one before by about half, and scores as its best reading.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

LONG_SENTENCE_WORDS = 48
"""A sentence with more words than this is read in parts as well as whole."""
PART_WORDS = 24
"""A part has at least this many words, unless it ends the sentence."""

_CLAUSE_END = re.compile(r"[,;]\s+")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class _Piece:
    start: int
    end: int
    words: int


def sentence_parts(sentence: str) -> list[str]:
    """The parts of `sentence` to read on their own; none for a sentence of at most
    LONG_SENTENCE_WORDS words, or one that has no clause to cut at."""
    if len(_WORD.findall(sentence)) <= LONG_SENTENCE_WORDS:
        return []
    pieces = _pieces(sentence)
    parts: list[str] = []
    first = 0
    while True:
        last, words = first, pieces[first].words
        while words < PART_WORDS and last + 1 < len(pieces):
            last += 1
            words += pieces[last].words
        parts.append(sentence[pieces[first].start : pieces[last].end].rstrip(",; "))
        if last + 1 == len(pieces):
            break
        first = _halfway(pieces, first, last, words)
    return parts if len(parts) > 1 else []


def _pieces(sentence: str) -> list[_Piece]:
    """The sentence cut after each comma or semicolon that a space follows."""
    bounds = [0, *(m.end() for m in _CLAUSE_END.finditer(sentence)), len(sentence)]
    return [
        _Piece(start, end, len(_WORD.findall(sentence[start:end])))
        for start, end in itertools.pairwise(bounds)
        if sentence[start:end].strip()
    ]


def _halfway(pieces: list[_Piece], first: int, last: int, words: int) -> int:
    """The piece where the next part starts: about half of this part's words on, never
    at this part's first piece nor after its last."""
    passed, piece = 0, first
    while piece < last and passed + pieces[piece].words <= words / 2:
        passed += pieces[piece].words
        piece += 1
    return max(piece, first + 1)
