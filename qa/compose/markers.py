"""Citation markers in model output, parsed tolerantly and removed without a trace.

Models write `[1]`, `[1, 2]`, `[1][2]`, `[1-3]`, `【1】`, `［１］`, `[Passage 1]`, `[source 2]`,
`[^1]`, `【4:0†source】` or `(passage 1)`. `find_markers` reads them all; `strip_markers`
removes them (and a marker cut off at the end of the output) so that only the canonical
`[n]` citeqa writes itself ever reaches a reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = r"[\[［【〔〖]"
_CLOSE = r"[\]］】〕〗]"
_LABEL = r"(?:passages?|sources?|docs?|documents?|refs?|references?|citations?|cite)"
_NUM = r"\d{1,3}"
_ITEM = rf"(?:{_LABEL}\s*)?[#^]?\s*{_NUM}(?:\s*[-–—]\s*(?:{_LABEL}\s*)?{_NUM})?"
_SEP = r"\s*(?:[,，;；、/]|\band\b|&)?\s*"
_ITEMS = rf"{_ITEM}(?:{_SEP}{_ITEM})*"
# An OpenAI-assistant style tail such as ":0†source" after the number.
_TAIL = r"(?:\s*[:†][^\]］】〕〗\n]{0,40})?"

_BRACKETED = re.compile(rf"{_OPEN}\s*(?P<items>{_ITEMS}){_TAIL}\s*{_CLOSE}", re.IGNORECASE)
_PARENTHESISED = re.compile(
    rf"[(（]\s*(?P<items>{_LABEL}\s*{_NUM}(?:{_SEP}(?:{_LABEL}\s*)?{_NUM})*)\s*[)）]",
    re.IGNORECASE,
)
_RANGE = re.compile(rf"({_NUM})\s*[-–—]\s*(?:{_LABEL}\s*)?({_NUM})", re.IGNORECASE)
_NUMBER = re.compile(_NUM)
# Left at the very end of a truncated output: "[1", "[1, 2", "【".
_DANGLING = re.compile(rf"\s*{_OPEN}\s*(?:{_LABEL})?[\s\d,;，；、#^:†&/-]*$", re.IGNORECASE)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+(?=[.,;:!?。，；：！？)])")
_SPACES = re.compile(r"[ \t]{2,}")
MAX_RANGE = 10


@dataclass(frozen=True, slots=True)
class Marker:
    """One marker: its span in the text and the passage numbers it names."""

    start: int
    end: int
    numbers: tuple[int, ...]


def find_markers(text: str) -> list[Marker]:
    """All markers of `text` in order; `[1][2]` is two markers, `[1, 2]` one with two numbers."""
    found = [_marker(m) for m in _BRACKETED.finditer(text)]
    found += [_marker(m) for m in _PARENTHESISED.finditer(text)]
    return sorted(found, key=lambda m: m.start)


def strip_markers(text: str, *, final: bool = True) -> str:
    """`text` without markers; with `final`, also without a marker cut off at its end."""
    markers = find_markers(text)
    while markers:  # removing "[2]" from "[1[2]]" leaves a marker behind
        for marker in reversed(markers):
            text = text[: marker.start] + text[marker.end :]
        markers = find_markers(text)
    if final:
        text = _DANGLING.sub("", text)
    text = _SPACE_BEFORE_PUNCT.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _marker(match: re.Match[str]) -> Marker:
    return Marker(match.start(), match.end(), _numbers(match.group("items")))


def _numbers(items: str) -> tuple[int, ...]:
    numbers: list[int] = []
    position = 0
    for match in _RANGE.finditer(items):
        numbers += [int(n) for n in _NUMBER.findall(items[position : match.start()])]
        low, high = int(match.group(1)), int(match.group(2))
        if 0 <= high - low < MAX_RANGE:
            numbers += range(low, high + 1)
        else:
            numbers += [low, high]
        position = match.end()
    numbers += [int(n) for n in _NUMBER.findall(items[position:])]
    return tuple(dict.fromkeys(numbers))
