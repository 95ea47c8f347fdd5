"""What chunk retrieval reads of a chunk: its document's title, then its text."""

from __future__ import annotations

from index.encode import titled
from index.types import Document


def document(title: str) -> Document:
    return Document("rovers", title, "rovers.txt", "en", "Kestrel Rovers won. The club won.")


def test_the_title_comes_first() -> None:
    assert titled(document("Kestrel Rovers"), "The club won.") == "Kestrel Rovers\nThe club won."


def test_a_chunk_that_opens_with_its_title_or_a_document_without_one_is_left_alone() -> None:
    assert titled(document("Kestrel Rovers"), "Kestrel Rovers won.") == "Kestrel Rovers won."
    assert titled(document("  "), "The club won.") == "The club won."
