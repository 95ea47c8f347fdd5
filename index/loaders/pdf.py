"""PDF: text of each page with pypdf; page start offsets are kept in the metadata."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader

from index.loaders.errors import LoaderError
from index.loaders.limits import LoaderLimits
from index.loaders.parsed import Parsed

logging.getLogger("pypdf").setLevel(logging.ERROR)


def parse_pdf(data: bytes, limits: LoaderLimits) -> Parsed:
    """`limits` are not used: pypdf bounds its own decompression and nesting."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoaderError("unparseable", "the PDF is encrypted")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        info_title = reader.metadata.title if reader.metadata else None
    except LoaderError:
        raise
    except Exception as exc:  # a hostile PDF can make the parser raise almost anything
        raise LoaderError("unparseable", f"the PDF could not be read: {exc}") from exc
    text = ""
    page_starts: list[int] = []
    for page_text in pages:
        if text:
            # one line break, not a blank line: a sentence that runs on to the next page is
            # one sentence, and a page that opens with a heading still opens a unit (see
            # index.text.line_breaks)
            text += "\n"
        page_starts.append(len(text))
        text += page_text
    if not text.strip():
        raise LoaderError("no_text", "the PDF has no extractable text (scanned images?)")
    title = str(info_title).strip() if info_title else None
    return Parsed(text=text, title=title or None, metadata={"page_starts": page_starts})
