"""Sentence-aware chunking: whole sentences packed up to a size, with sentence overlap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.text.sentences import split_sentences
from index.types import Chunk, Document, Span

# Bumped whenever chunk or sentence boundaries, or the vectors made of them, change, so
# old snapshots are rebuilt (3: multilingual chunk vectors; 4: chunk vectors and BM25 read
# the document title first, see index.building.encode.titled; 5: so do the main sentence
# vectors; 6: a line break that only wraps a sentence no longer ends it, see
# index.text.line_breaks; 7: the main sentence vectors are pooled from the chunk passes,
# see index.building.sentence_pooling).
CHUNKER_VERSION = 7
# Sentences longer than this are cut at whitespace (about the 256-token window of the
# MiniLM embedder). A sentence longer than the chunk size becomes a chunk of its own.
MAX_SENTENCE_CHARS = 1000


@dataclass(frozen=True, slots=True)
class ChunkerSettings:
    """`size` and `overlap` are in characters; overlap is filled with whole sentences."""

    size: int = 500
    overlap: int = 100

    def as_manifest(self) -> dict[str, int]:
        """What the manifest records: a snapshot is reusable only under equal values."""
        return {
            "size": self.size,
            "overlap": self.overlap,
            "max_sentence_chars": MAX_SENTENCE_CHARS,
            "version": CHUNKER_VERSION,
        }

    def __post_init__(self) -> None:
        if self.size < 50:
            raise ValueError("chunk size must be at least 50 characters")
        if not 0 <= self.overlap < self.size:
            raise ValueError("chunk overlap must be in [0, size)")


class SentenceChunker:
    """Cuts a document into chunks of whole sentences whose offsets point into its text."""

    def __init__(self, settings: ChunkerSettings | None = None) -> None:
        self.settings = settings or ChunkerSettings()

    def split(self, text: str) -> tuple[list[Span], list[tuple[int, int]]]:
        """The sentences of `text` and each chunk as a range `[lo, hi)` of sentence indexes."""
        sentences = split_sentences(text, max_chars=max(self.settings.size, MAX_SENTENCE_CHARS))
        ranges = pack_sentences(sentences, self.settings.size, self.settings.overlap)
        return sentences, ranges

    def chunk(self, document: Document) -> list[Chunk]:
        sentences, ranges = self.split(document.text)
        return [
            Chunk(
                chunk_id=chunk_id(document.doc_id, i),
                doc_id=document.doc_id,
                start=sentences[lo].start,
                end=sentences[hi - 1].end,
                text=document.text[sentences[lo].start : sentences[hi - 1].end],
                sentences=tuple(sentences[lo:hi]),
            )
            for i, (lo, hi) in enumerate(ranges)
        ]


def chunk_id(doc_id: str, index: int) -> str:
    return f"{doc_id}#{index}"


def pack_sentences(sentences: Sequence[Span], size: int, overlap: int) -> list[tuple[int, int]]:
    """Group consecutive sentences into windows `[i, j)` of at most `size` characters.

    A window always holds at least one sentence. The next window starts with the trailing
    sentences of the previous one that fit in `overlap` characters (and leave room for the
    next new sentence), so every window holds at least one sentence not seen before.
    """
    groups: list[tuple[int, int]] = []
    i = 0
    while i < len(sentences):
        j = i + 1
        while j < len(sentences) and sentences[j].end - sentences[i].start <= size:
            j += 1
        groups.append((i, j))
        if j >= len(sentences):
            break
        k = j
        while (
            k - 1 > i
            and sentences[j - 1].end - sentences[k - 1].start <= overlap
            and sentences[j].end - sentences[k - 1].start <= size
        ):
            k -= 1
        i = k
    return groups
