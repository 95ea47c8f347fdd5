"""Bodies of the question routes must be declared JSON: another declared type is a 415
that says so (it was a 422 saying "Input should be a valid dictionary")."""

from __future__ import annotations

from fastapi import Request

from api.http.errors import ApiError

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def json_body(request: Request) -> None:
    """A dependency of the routers whose bodies are JSON (FastAPI reads none without the
    header either)."""
    if request.method not in _WITH_BODY:
        return
    declared = request.headers.get("content-type", "no Content-Type")
    media = declared.split(";", 1)[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return
    raise ApiError(
        415,
        "unsupported_media_type",
        f"the body must be JSON, sent with Content-Type: application/json (not {media})",
    )
