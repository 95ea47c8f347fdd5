"""Checks of an uploaded file before anything is stored or queued.

The name is reduced to a safe base name (never a path); the type is told by content
(index.loaders, within their LoaderLimits); metadata must be a JSON object within the
JSON bounds. Each problem is an ApiError: 415 for a type we cannot read, 422 for anything
else unusable.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any

from api.checks.json_body import RefusedJsonError, parse_checked_json
from api.http.errors import ApiError
from index.loaders import LoaderError, LoaderLimits, load_bytes, make_doc_id
from index.types import Document

MAX_NAME_CHARS = 200
UNSUPPORTED_CODES = frozenset({"unsupported_type", "binary"})
LANG_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
_UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"|?*]+')


def safe_filename(name: str | None) -> str:
    """The last path component of `name`, without control or reserved characters and
    leading dots; "upload" when nothing is left."""
    text = unicodedata.normalize("NFC", name or "")
    base = re.split(r"[/\\]", text)[-1]
    base = _UNSAFE_NAME_CHARS.sub("", base).strip().lstrip(".").strip()
    if len(base) > MAX_NAME_CHARS:
        _, dot, suffix = base.rpartition(".")
        keep = suffix if dot and len(suffix) <= 10 else ""
        base = base[: MAX_NAME_CHARS - len(keep) - 1] + ("." + keep if keep else "")
    return base or "upload"


def parse_metadata(text: str | None, max_bytes: int, max_depth: int) -> dict[str, Any]:
    if text is None or not text.strip():
        return {}
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise ApiError(422, "invalid_metadata", f"metadata is over {max_bytes} bytes")
    try:
        value = parse_checked_json(text, max_depth)
    except RefusedJsonError as exc:
        raise ApiError(422, "invalid_metadata", f"metadata: {exc}") from exc
    except ValueError as exc:
        raise ApiError(422, "invalid_metadata", f"metadata is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ApiError(422, "invalid_metadata", "metadata must be a JSON object")
    return value


def read_upload(
    data: bytes,
    filename: str,
    *,
    title: str | None = None,
    source: str | None = None,
    lang: str | None = None,
    metadata: dict[str, Any] | None = None,
    limits: LoaderLimits | None = None,
) -> Document:
    """The Document an upload becomes; its doc_id comes from the safe file name (or a
    `doc_id` in its front matter or metadata, made safe the same way)."""
    fields = {"title": title, "source": source, "lang": lang}
    merged = {**(metadata or {}), **{k: v for k, v in fields.items() if v}}
    try:
        document = load_bytes(
            data, filename, doc_id=make_doc_id(filename), metadata=merged, limits=limits
        )
    except LoaderError as exc:
        status = 415 if exc.code in UNSUPPORTED_CODES else 422
        raise ApiError(status, exc.code, exc.message) from exc
    if not re.fullmatch(LANG_PATTERN, document.lang):
        raise ApiError(422, "invalid_request", "lang must be a language tag such as en or ru")
    doc_id = make_doc_id(document.doc_id)
    return document if doc_id == document.doc_id else dataclasses.replace(document, doc_id=doc_id)
