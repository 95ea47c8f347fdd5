"""Data types of the index layer: documents, sentences and chunks with character offsets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


def content_hash(text: str) -> str:
    """SHA-256 of `text`; equal hashes of what is embedded mean no need to embed it again."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Document:
    """A loaded source document. `text` is what citations quote, character for character."""

    doc_id: str
    title: str
    source: str
    lang: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        """SHA-256 of what is embedded: the title (chunk retrieval reads it) and the text."""
        return content_hash(f"{self.title}\n{self.text}")


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range `[start, end)` of a document's text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Chunk:
    """A run of whole sentences of one document; `text == document.text[start:end]`."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    sentences: tuple[Span, ...]
