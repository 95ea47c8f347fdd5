"""Plain text: decoded, optional front matter, first line as the title."""

from __future__ import annotations

from index.loaders.encoding import decode_text
from index.loaders.front_matter import split_front_matter
from index.loaders.limits import LoaderLimits
from index.loaders.parsed import Parsed


def parse_text(data: bytes, limits: LoaderLimits) -> Parsed:
    metadata, body = split_front_matter(decode_text(data), limits)
    first_line = next((line.strip() for line in body.splitlines() if line.strip()), None)
    return Parsed(text=body, title=first_line, metadata=metadata)
