"""Checks of plain values read from outside (JSON bodies, YAML front matter): how deep
they nest, and strings that are not valid Unicode.

A lone UTF-16 surrogate (`"\\ud800"` in JSON, or in a double-quoted YAML string) decodes
to a Python string that no encoder can write: tokenizers, logs and JSON responses fail on
it. Nesting is checked without recursion, so no depth can raise RecursionError here.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def has_lone_surrogate(text: str) -> bool:
    """True when `text` holds a surrogate code point (in a Python string one is always
    unpaired: a valid pair decodes to one code point)."""
    return not text.isascii() and _SURROGATE.search(text) is not None


def without_lone_surrogates(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (the length is unchanged, so
    character offsets into it stay valid)."""
    return _SURROGATE.sub(REPLACEMENT, text) if has_lone_surrogate(text) else text


def value_problem(value: object, max_depth: int) -> str | None:
    """Why `value` (made of dicts, lists, strings and scalars) is refused, or None: a list or
    object nested deeper than `max_depth` levels, or a key or string with a lone surrogate."""
    stack: list[tuple[object, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            if has_lone_surrogate(item):
                return _surrogate_problem(path, item)
        elif isinstance(item, dict | list):
            if depth + 1 > max_depth:
                return f"the value is nested deeper than {max_depth} levels"
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str) and has_lone_surrogate(key):
                    return _surrogate_problem(path, key, what="a key")
                stack.append((child, f"{path}.{key}" if path else str(key), depth + 1))
    return None


def _surrogate_problem(path: str, text: str, what: str = "the string") -> str:
    match = _SURROGATE.search(text)
    code = f"\\u{ord(match.group()):04x}" if match else "a surrogate"
    where = f"{path}: " if path else ""
    return f"{where}{what} holds a lone surrogate ({code}), which is not valid Unicode"
