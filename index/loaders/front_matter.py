"""YAML front matter (`---` fenced block at the top of a text or Markdown file)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from index.loaders.errors import LoaderError

_FENCE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (metadata, body). Text without front matter comes back unchanged."""
    match = _FENCE.match(text)
    if match is None:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise LoaderError("bad_metadata", f"front matter is not valid YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise LoaderError("bad_metadata", "front matter must be a YAML mapping")
    return {str(k): v for k, v in data.items()}, text[match.end() :]
