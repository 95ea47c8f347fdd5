"""Loaders: files (Markdown, plain text, HTML, PDF) to Documents, the format told by content."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from index.loaders.bounded_yaml import load_yaml_mapping
from index.loaders.doc_ids import make_doc_id, unique_doc_ids
from index.loaders.errors import LoaderError
from index.loaders.html import parse_html
from index.loaders.limits import LoaderLimits
from index.loaders.markdown import parse_markdown
from index.loaders.parsed import Parsed
from index.loaders.pdf import parse_pdf
from index.loaders.plain_values import without_lone_surrogates
from index.loaders.text import parse_text
from index.text.language import UNDETERMINED, text_language
from index.types import Document

__all__ = [
    "SUFFIXES",
    "LoaderError",
    "LoaderLimits",
    "corpus_doc_ids",
    "iter_corpus",
    "load_bytes",
    "load_path",
    "make_doc_id",
]

log = logging.getLogger(__name__)

Parser = Callable[[bytes, LoaderLimits], Parsed]
PARSERS: dict[str, Parser] = {
    "markdown": parse_markdown,
    "text": parse_text,
    "html": parse_html,
    "pdf": parse_pdf,
}
SUFFIXES: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
SIDECAR_SUFFIX = ".meta.yaml"
_RESERVED = ("doc_id", "title", "source", "lang")
_HTML_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<!doctype html|<html|<head|<body)", re.I)


def detect_format(data: bytes, filename: str) -> str:
    """The parser for `data`: PDF and HTML by their content, others by the name's suffix.

    A file named like a PDF that does not start with the PDF signature is refused, and a
    PDF named `.txt` is read as a PDF, never as text.
    """
    suffix = Path(filename).suffix.lower()
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if suffix == ".pdf":
        raise LoaderError("unsupported_type", "the file is named .pdf but is not a PDF")
    if _HTML_START.match(data[:1024]):
        return "html"
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    raise LoaderError(
        "unsupported_type",
        f"unsupported file type {suffix or '(none)'}; use one of {', '.join(sorted(SUFFIXES))}",
    )


def load_bytes(
    data: bytes,
    filename: str,
    *,
    doc_id: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    limits: LoaderLimits | None = None,
) -> Document:
    """Parse one file's bytes into a Document; raise LoaderError on anything unusable,
    including what `limits` (default: from the environment) bound. Lone surrogates (which
    no encoder can write) become U+FFFD in the text, the title and the metadata."""
    if not data.strip():
        raise LoaderError("empty", "the file is empty")
    kind = detect_format(data, filename)
    try:
        parsed = PARSERS[kind](data, limits or LoaderLimits())
    except LoaderError:
        raise
    except Exception as exc:  # a parser failing on a hostile file refuses that file only
        log.warning("the %s parser failed on %s", kind, filename, exc_info=True)
        raise LoaderError(
            "unreadable", f"the {kind} file could not be read ({type(exc).__name__})"
        ) from exc
    text = without_lone_surrogates(parsed.text)
    if not text.strip():
        raise LoaderError("no_text", "the file holds no text")
    meta: dict[str, Any] = _jsonable({**parsed.metadata, **(metadata or {})})
    reserved = {key: meta.pop(key) for key in _RESERVED if key in meta}
    lang = reserved.get("lang") or text_language(text) or UNDETERMINED
    title = reserved.get("title") or parsed.title or Path(filename).stem
    return Document(
        doc_id=str(reserved.get("doc_id") or doc_id or make_doc_id(filename)),
        title=without_lone_surrogates(str(title))[:500],
        source=str(reserved.get("source") or filename),
        lang=str(lang),
        text=text,
        metadata=meta,
    )


def _jsonable(metadata: dict[str, Any]) -> dict[str, Any]:
    """Metadata as plain JSON values (YAML dates become ISO strings), lone surrogates
    replaced."""
    written = json.dumps(metadata, default=str, ensure_ascii=False)
    result: dict[str, Any] = json.loads(without_lone_surrogates(written))
    return result


def load_path(
    path: Path,
    root: Path | None = None,
    doc_id: str | None = None,
    limits: LoaderLimits | None = None,
) -> Document:
    """Load a file from disk, with metadata from a `<name>.meta.yaml` sidecar if present.
    Its id is `doc_id` (see `corpus_doc_ids`), else made from its path under `root`.
    Under `root`, a file or sidecar that is a link to outside `root` is refused."""
    relative = _relative(path, root)
    limits = limits or LoaderLimits()
    if root is not None:
        _check_inside(path, root)
    return load_bytes(
        path.read_bytes(),
        path.name,
        doc_id=doc_id or make_doc_id(relative),
        metadata={"source": relative, **read_sidecar(path, limits, root)},
        limits=limits,
    )


def read_sidecar(path: Path, limits: LoaderLimits, root: Path | None = None) -> dict[str, Any]:
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return {}
    if root is not None:
        _check_inside(sidecar, root)
    try:
        text = sidecar.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LoaderError("bad_metadata", f"{sidecar.name} is not UTF-8: {exc}") from exc
    return load_yaml_mapping(text, limits, sidecar.name)


def _check_inside(path: Path, root: Path) -> None:
    """Links are followed only to files inside `root`."""
    if not path.resolve().is_relative_to(root.resolve()):
        raise LoaderError(
            "outside_corpus",
            f"{path.name} is a link to a file outside the corpus folder, which is not followed",
        )


def _relative(path: Path, root: Path | None) -> str:
    return path.relative_to(root).as_posix() if root else path.name


def corpus_doc_ids(paths: Sequence[Path], root: Path) -> dict[Path, str]:
    """The id of each corpus file, unique among `paths` (see index.loaders.doc_ids)."""
    ids = unique_doc_ids(_relative(path, root) for path in paths)
    return {path: ids[_relative(path, root)] for path in paths}


def iter_corpus(root: Path) -> Iterator[Path]:
    """Files under `root` that a loader can read, in a stable order (sidecars skipped)."""
    for path in sorted(root.rglob("*")):
        if (
            path.is_file()
            and path.suffix.lower() in SUFFIXES
            and not path.name.endswith(SIDECAR_SUFFIX)
            and not any(part.startswith(".") for part in path.relative_to(root).parts)
        ):
            yield path
