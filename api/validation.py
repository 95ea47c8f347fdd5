"""Checks of request values against the configured bounds."""

from __future__ import annotations

from typing import Any

from api.errors import ApiError
from api.settings import ApiSettings
from index.filters import Filter, FilterError, parse_filters


def checked_question(text: str, settings: ApiSettings, field: str = "question") -> str:
    question = text.strip()
    if not question:
        raise ApiError(422, "invalid_request", f"{field} must not be empty")
    if len(question) > settings.max_question_chars:
        raise ApiError(
            422,
            "invalid_request",
            f"{field} is too long: {len(question)} characters, "
            f"at most {settings.max_question_chars}",
        )
    if "\x00" in question:
        raise ApiError(422, "invalid_request", f"{field} must not contain NUL characters")
    return question


def checked_top_k(top_k: int | None, settings: ApiSettings) -> int | None:
    if top_k is not None and not 1 <= top_k <= settings.max_top_k:
        raise ApiError(422, "invalid_request", f"top_k must be between 1 and {settings.max_top_k}")
    return top_k


def checked_filters(filters: dict[str, Any] | None) -> Filter:
    try:
        return parse_filters(filters)
    except FilterError as exc:
        raise ApiError(422, "invalid_filters", str(exc)) from exc
