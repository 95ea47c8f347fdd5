"""What a format parser returns before it becomes a Document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Parsed:
    """Plain text of a file, the title it declares (if any) and metadata found inside it."""

    text: str
    title: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
