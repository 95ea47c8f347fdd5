"""YAML front matter (`---` fenced block at the top of a text or Markdown file)."""

from __future__ import annotations

import re
from typing import Any

from index.loaders.bounded_yaml import load_yaml_mapping
from index.loaders.limits import LoaderLimits

_FENCE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def split_front_matter(text: str, limits: LoaderLimits) -> tuple[dict[str, Any], str]:
    """Return (metadata, body). Text without front matter comes back unchanged."""
    match = _FENCE.match(text)
    if match is None:
        return {}, text
    return load_yaml_mapping(match.group(1), limits, "front matter"), text[match.end() :]
