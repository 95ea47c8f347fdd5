"""Safe trims of an answer sentence; the result is always a span of the original text."""

from __future__ import annotations

import re

# Discourse openers that carry no fact; cut only when a capital letter or digit follows,
# so the answer still reads as a sentence.
_OPENER = re.compile(
    r"(?:However|Moreover|Furthermore|In addition|Additionally|Also|Finally|Afterwards|"
    r"Specifically|Meanwhile|Therefore|Thus|Consequently|Nevertheless|Indeed|Besides|"
    r"Similarly|Likewise|Subsequently|Later|Lastly|In particular|In fact|Notably|"
    r"As a result|On the other hand|At the same time|In contrast)\s*,\s+(?=[A-Z0-9\"“])"
)


def trim_opener(text: str, start: int, end: int) -> tuple[int, int]:
    """Skip a leading discourse opener of `text[start:end]`."""
    match = _OPENER.match(text, start, end)
    return (match.end(), end) if match else (start, end)
