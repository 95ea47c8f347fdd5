"""The anchors' shared parts: their chunks (LangChain's textbook splitter) and interface."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from langchain_text_splitters import RecursiveCharacterTextSplitter

from index.types import Document

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200


@dataclass(frozen=True, slots=True)
class AnchorChunk:
    doc_id: str
    text: str


class Anchor(Protocol):
    """Ranks chunks for a query; `search` returns them best first."""

    name: str

    def search(self, query: str, k: int) -> list[AnchorChunk]: ...


def textbook_chunks(documents: Sequence[Document]) -> list[AnchorChunk]:
    """Each document split by RecursiveCharacterTextSplitter(1000, 200), as the tutorials do
    (SQuAD v1.1 dev: 1,827 paragraphs -> 2,190 chunks)."""
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    return [
        AnchorChunk(doc.doc_id, text) for doc in documents for text in splitter.split_text(doc.text)
    ]
