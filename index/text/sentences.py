"""Sentence segmentation with character offsets into the original text.

Titles, list items and paragraphs end at their line breaks, but a sentence hard-wrapped
over several lines is one sentence (index.text.line_breaks tells the two apart); inside
such a block of lines, Bling Fire's statistical segmenter finds sentence ends. Sentences
longer than `max_chars` are cut at whitespace so that no unit outgrows a chunk.
"""

from __future__ import annotations

import re

import blingfire

from index.text.line_breaks import text_blocks
from index.types import Span

_SPACE = re.compile(r"\s")
# A piece ending in one of these (or in a single capital, an initial) does not end a
# sentence: the segmenter sometimes cuts after "Dr." when it opens a sentence.
_ABBREVIATIONS = frozenset(
    "Mr Mrs Ms Mx Dr Prof Sr Jr St Mt Ft Rev Hon Gen Col Lt Sgt Capt Cmdr Adm Gov Pres "
    "Sen Rep Inc Ltd Co Corp No Nos Vol Fig Eq vs etc al approx ca cf Jan Feb Mar Apr Jun "
    "Jul Aug Sep Sept Oct Nov Dec г гг им ул д т проф акад".split()
)
# The last word of a piece, if a period ends it. Bounded (the lookbehind fails at once inside
# a word, \w{1,12} reads at most 12 characters), so a search costs a few steps per character
# of the tail it is given, however long the word runs of a piece are.
_LAST_WORD = re.compile(r"(?<!\w)(\w{1,12})\.$")
# How much of a piece's end is read for an abbreviation: the longest one, its period and
# trailing spaces fit with room to spare.
_TAIL = 64


def split_sentences(text: str, max_chars: int = 600) -> list[Span]:
    """Return the sentences of `text` as spans, in order, without surrounding whitespace."""
    spans: list[Span] = []
    for block_start, block_end in text_blocks(text):
        for start, end in _segment_line(text[block_start:block_end], block_start):
            spans.extend(_cut_long(text, start, end, max_chars))
    return spans


def _segment_line(line: str, offset: int) -> list[tuple[int, int]]:
    if not line.strip():
        return []
    try:
        _, pieces = blingfire.text_to_sentences_and_offsets(line)
    except (AssertionError, ValueError, UnicodeError):
        pieces = []
    bounds = _merge_abbreviations(line, _validated(line, pieces))
    trimmed = (_trim(line, start, end) for start, end in bounds)
    return [(offset + s, offset + e) for s, e in trimmed if e > s]


def _validated(line: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep the segmenter's pieces only if they are ordered and inside the line.

    Gaps between pieces are closed by extending each piece to the next one's start,
    so that no character of the line is lost from every sentence.
    """
    ok = bool(pieces) and all(
        0 <= s < e <= len(line) and (i == 0 or s >= pieces[i - 1][1])
        for i, (s, e) in enumerate(pieces)
    )
    if not ok:
        return [(0, len(line))]
    starts = [0] + [s for s, _ in pieces[1:]]
    ends = [s for s, _ in pieces[1:]] + [len(line)]
    return list(zip(starts, ends, strict=True))


def _merge_abbreviations(line: str, bounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in bounds:
        if merged and _ends_with_abbreviation(line, *merged[-1]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _ends_with_abbreviation(line: str, start: int, end: int) -> bool:
    """Does `line[start:end]` end with an abbreviation? Only its last _TAIL characters are
    read (never the whole piece, which grows as pieces merge), so that a line costs time
    linear in its length."""
    while end > start and line[end - 1].isspace():
        end -= 1
    match = _LAST_WORD.search(line, max(start, end - _TAIL), end)
    if match is None:
        return False
    word = match.group(1)
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def _trim(line: str, start: int, end: int) -> tuple[int, int]:
    while start < end and line[start].isspace():
        start += 1
    while end > start and line[end - 1].isspace():
        end -= 1
    return start, end


def _cut_long(text: str, start: int, end: int, max_chars: int) -> list[Span]:
    """Split a span longer than `max_chars` at the last whitespace before the limit."""
    spans: list[Span] = []
    while end - start > max_chars:
        window = text[start : start + max_chars]
        cut = max((m.start() for m in _SPACE.finditer(window)), default=0)
        if cut < max_chars // 2:
            cut = max_chars
        piece_end = start + cut
        s, e = _trim(text, start, piece_end)
        if e > s:
            spans.append(Span(s, e))
        start = piece_end
        while start < end and text[start].isspace():
            start += 1
    s, e = _trim(text, start, end)
    if e > s:
        spans.append(Span(s, e))
    return spans
