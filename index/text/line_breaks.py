"""Which line breaks end a unit of text, and which only wrap a sentence.

Titles, list items and paragraphs end at a line break. A sentence hard-wrapped over several
lines (plain-text exports, e-mail, the text of a PDF) does not: cutting it there leaves a
quote that stops mid-sentence. A line break is read as a wrap, and the two lines joined,
when nothing marks a boundary:
- the next line opens a list item (a bullet, `1.`, `a)`), heading, table row or quotation,
  or the line is a heading: a boundary;
- the next line opens with a dash and a space, and so did the unit it would join: a list
  of dashed items (`- one` / `- two`), a boundary;
- the line ends in a hyphenated word (`пайда-` / `лану`): a wrap;
- the next line goes on in lower case: a wrap (after a full stop too, as after an
  abbreviation; the sentence segmenter still ends a sentence there if it should);
- the line ends a sentence or clause (`.`, `!`, `?`, `…`, `:`, `;`): a boundary;
- otherwise, the next line opens with a capital, a digit, a quote or a dash (a list item,
  or a dash inside the sentence: `Алматы` / `- ең үлкен қала`): a wrap only when the line
  was full, that is its next word would not have fit on it, measured against the widest
  line of the paragraph (less a tenth, for proportional fonts). A title or a verse line is
  shorter than the lines around it; paragraphs narrower than WRAP_MIN_WIDTH characters
  (verse, addresses) are never joined that way.
A blank line always ends a block.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

WRAP_MIN_WIDTH = 40
FULL_LINE_SHARE = 0.9
_LINE = re.compile(r"[^\n]+")
_OPENS_STRUCTURE = re.compile(
    r"""(?:
        [•*·▪►●○◦‣⁃](?:\s|$)         # a bullet (dashes: see is_wrap)
      | \d{1,3}[.)](?:\s|$)          # 1.  2)
      | \(\d{1,3}\)\s                # (3)
      | [^\W\d_][)](?:\s|$)          # a)  б)
      | [IVXLC]{1,6}\.\s             # II. Methods
      | [#=|>]                       # Markdown or wiki heading, table row, quotation
    )""",
    re.VERBOSE,
)
_HEADING = re.compile(r"#{1,6}\s|=+[^=]+=+\Z")
_DASH_ITEM = re.compile(r"[-–—]\s")
_ENDS_CLAUSE = re.compile(r"[.!?…:;][\"'»”’)\]]*\Z")
_HYPHENATED = re.compile(r"[^\W\d_]-\Z")


def text_blocks(text: str) -> Iterator[tuple[int, int]]:
    """Ranges `[start, end)` of `text` whose line breaks are all wraps, in order: the
    units to cut into sentences. Blank lines are in none of them."""
    for paragraph in _paragraphs(text):
        width = max(len(text[s:e].strip()) for s, e in paragraph)
        start, end = paragraph[0]
        dashed = _opens_dash_item(text[start:end])
        for (s0, e0), (s, e) in itertools.pairwise(paragraph):
            if not is_wrap(text[s0:e0], text[s:e], width, after_dash_item=dashed):
                yield start, end
                start = s
                dashed = _opens_dash_item(text[s:e])
            end = e
        yield start, end


def _paragraphs(text: str) -> Iterator[list[tuple[int, int]]]:
    """Runs of non-blank lines, each line as its range, split at blank lines."""
    run: list[tuple[int, int]] = []
    for match in _LINE.finditer(text):
        if not match.group().strip():
            continue
        start, end = match.span()
        if run and text[run[-1][1] : start].count("\n") > 1:
            yield run
            run = []
        run.append((start, end))
    if run:
        yield run


def _opens_dash_item(line: str) -> bool:
    """True when `line`, the first of a unit, opens with a dash and a space."""
    return _DASH_ITEM.match(line.lstrip()) is not None


def opens_structure(line: str) -> bool:
    """True when `line` (stripped) opens a list item, heading, table row or quotation."""
    return _OPENS_STRUCTURE.match(line) is not None


def is_wrap(line: str, following: str, width: int, after_dash_item: bool = False) -> bool:
    """True when the break between `line` and the `following` line only wraps a sentence
    (see the module docstring); `width` is the widest line of their paragraph, and
    `after_dash_item` says whether the unit `line` ends opened with a dash and a space."""
    previous, after = line.strip(), following.strip()
    if opens_structure(after) or _HEADING.match(previous):
        return False
    if after_dash_item and _DASH_ITEM.match(after):
        return False
    if _HYPHENATED.search(previous) and after[0].isalpha():
        return True
    if after[0].islower():
        return True
    if _ENDS_CLAUSE.search(previous):
        return False
    if width < WRAP_MIN_WIDTH:
        return False
    next_word = after.split(maxsplit=1)[0]
    return len(previous) + 1 + len(next_word) > FULL_LINE_SHARE * width
