"""Checks of request values against the configured bounds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from api.http.errors import ApiError
from api.settings import ApiSettings
from index.stores.filters import Filter, FilterError, parse_filters

# What str.strip() removes (str.isspace, all in the Basic Multilingual Plane), written out
# so that the schema's pattern, an ECMA-262 regular expression whose \s is another set,
# says exactly what is checked here.
BLANK = "".join(chr(c) for c in range(0x10000) if chr(c).isspace())
_BLANK_CLASS = "".join(f"\\u{ord(c):04x}" for c in BLANK)
VISIBLE_TEXT = f"^[^\\u0000]*[^\\u0000{_BLANK_CLASS}][^\\u0000]*$"
"""The pattern of a question: no NUL, and one character at least that is not blank."""


def checked_question(text: str, settings: ApiSettings, field: str = "question") -> str:
    """`text` stripped; 422 when it is too long (as sent), holds a NUL or is blank."""
    if len(text) > settings.max_question_chars:
        raise ApiError(
            422,
            "invalid_request",
            f"{field} is too long: {len(text)} characters, at most {settings.max_question_chars}",
        )
    if "\x00" in text:
        raise ApiError(422, "invalid_request", f"{field} must not contain NUL characters")
    question = text.strip()
    if not question:
        raise ApiError(422, "invalid_request", f"{field} must not be empty")
    return question


def checked_history(turns: Sequence[tuple[str, str]], settings: ApiSettings) -> None:
    """422 when a request sends more earlier turns, or longer ones, than the bounds allow."""
    if len(turns) > settings.max_history_turns:
        raise ApiError(
            422,
            "invalid_request",
            f"history has {len(turns)} turns, at most {settings.max_history_turns}",
        )
    for i, (_, content) in enumerate(turns):
        if len(content) > settings.max_turn_chars:
            raise ApiError(
                422,
                "invalid_request",
                f"history turn {i} is too long: {len(content)} characters, "
                f"at most {settings.max_turn_chars}",
            )


def checked_top_k(top_k: int | None, settings: ApiSettings) -> int | None:
    if top_k is not None and not 1 <= top_k <= settings.max_top_k:
        raise ApiError(422, "invalid_request", f"top_k must be between 1 and {settings.max_top_k}")
    return top_k


def checked_filters(filters: dict[str, Any] | None) -> Filter:
    try:
        return parse_filters(filters)
    except FilterError as exc:
        raise ApiError(422, "invalid_filters", str(exc)) from exc
