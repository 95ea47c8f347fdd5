"""The error of an index whose store did not answer, or gave an incomplete view, just now."""

from __future__ import annotations


class IndexUnavailableError(RuntimeError):
    """Reading or writing the index failed for now (a build was writing it, or its store,
    such as Milvus, did not answer); asking again shortly can succeed."""
