"""Bounds on what one document may cost the index, checked before anything is embedded."""

from __future__ import annotations

from index.loaders import LoaderError
from index.types import Document

TOO_LARGE = "document_too_large"


def check_document_size(document: Document, max_chars: int) -> None:
    """Raise LoaderError(TOO_LARGE) when `document`'s text is over `max_chars` characters."""
    if len(document.text) > max_chars:
        raise LoaderError(
            TOO_LARGE,
            f"the document's text has {len(document.text):,} characters, over the limit of "
            f"{max_chars:,} (CITEQA_MAX_DOCUMENT_CHARS)",
        )
