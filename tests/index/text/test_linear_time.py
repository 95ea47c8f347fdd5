"""Sentence splitting and chunking cost time linear in the text, by counting work, not time.

Two counts, each compared between a text and the same text four times over:
- Python steps: line events inside index.text.sentences and index.text.chunking
  (sys.settrace);
- characters read by the abbreviation check's regular expression (C code, which no trace
  sees): the check used to read whole merged pieces, quadratic when every piece ends in an
  initial ("He met A. B. He met A. B. ..."): 131 KiB of it took 40 s, 32 KiB 2 s.
Linear work grows 4x (a little more is allowed for rounding at the edges); quadratic work
grows 16x.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import pytest

import index.text.chunking
import index.text.sentences
from index.text.chunking import SentenceChunker

KIB = 1024
GROWTH = 4.6  # allowed growth of the work for 4x the text


def repeated(unit: str, size: int) -> str:
    return unit * (size // len(unit))


def pages(size: int) -> str:
    """Lines of prose as a PDF's text comes out: short lines, paragraphs, headings."""
    line = "The committee met on 3 May and agreed, after Dr. Smith spoke, to adopt it."
    block = f"Section heading\n{line}\n{line} It passed.\n\n"
    return repeated(block, size)


SHAPES: dict[str, Callable[[int], str]] = {
    "one line of sentences": lambda n: repeated("The board met in Almaty. It voted. ", n),
    "one line, every piece ends in an initial": lambda n: repeated("He met A. B. ", n),
    "one line without spaces": lambda n: "x" * n,
    "one line of words without punctuation": lambda n: repeated("word ", n),
    "pages of lines": pages,
}


class _CountingPattern:
    """A compiled pattern that counts the characters its searches are given."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.read = 0

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        self.read += max(0, min(endpos, len(text)) - pos)
        return self.pattern.search(text, pos, endpos)


@contextmanager
def counting_steps() -> Iterator[list[int]]:
    """Counts line events of the splitting and chunking modules' code."""
    files = {index.text.sentences.__file__, index.text.chunking.__file__}
    count = [0]

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename not in files:
            return None
        if event == "line":
            count[0] += 1
        return trace

    sys.settrace(trace)
    try:
        yield count
    finally:
        sys.settrace(None)


def work(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """(Python steps, characters read by the abbreviation check) to chunk `text`."""
    pattern = _CountingPattern(index.text.sentences._LAST_WORD)
    monkeypatch.setattr(index.text.sentences, "_LAST_WORD", pattern)
    with counting_steps() as steps:
        sentences, ranges = SentenceChunker().split(text)
    assert sentences
    assert ranges
    return steps[0], pattern.read


@pytest.mark.parametrize("shape", SHAPES)
def test_splitting_and_chunking_are_linear(shape: str, monkeypatch: pytest.MonkeyPatch) -> None:
    small = work(SHAPES[shape](64 * KIB), monkeypatch)
    large = work(SHAPES[shape](256 * KIB), monkeypatch)
    assert large[0] <= GROWTH * small[0], f"Python steps {small[0]} -> {large[0]}"
    assert large[1] <= GROWTH * max(small[1], 1), f"characters read {small[1]} -> {large[1]}"
