"""The one error type loaders raise; `code` is stable and shown to API clients."""

from __future__ import annotations


class LoaderError(ValueError):
    """A file that cannot become a document: unsupported, empty, undecodable or broken."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
