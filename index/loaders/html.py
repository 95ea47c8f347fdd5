"""HTML: visible text with Beautiful Soup, one line per block element; <title> as title.

Bounded: a document with more than `max_html_elements` start tags is refused before a tree
is built (Beautiful Soup takes about 1 KB of memory per element), and one nested deeper
than `max_html_depth` is refused while its text is collected, without recursion.
"""

from __future__ import annotations

import itertools
import re

from bs4 import BeautifulSoup
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    PageElement,
    ProcessingInstruction,
    Tag,
)

from index.loaders.encoding import decode_text
from index.loaders.errors import LoaderError
from index.loaders.limits import LoaderLimits
from index.loaders.parsed import Parsed

_HIDDEN = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
_BLOCK = {
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
    "caption",
}
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_START_TAG = re.compile(r"<[A-Za-z]")


def parse_html(data: bytes, limits: LoaderLimits) -> Parsed:
    markup = decode_text(data)
    _check_elements(markup, limits.max_html_elements)
    soup = BeautifulSoup(markup, "html.parser")
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if isinstance(title_tag, Tag) else None
    pieces: list[str] = []
    _collect(soup, pieces, limits.max_html_depth)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(pieces).split("\n"))
    text = "\n".join(line for line in lines if line)
    if not title:
        heading = soup.find("h1")
        title = heading.get_text(" ", strip=True) if isinstance(heading, Tag) else None
    return Parsed(text=text, title=title or None)


def _check_elements(markup: str, limit: int) -> None:
    """Count start tags (a `<` before a letter) up to one past `limit`."""
    if sum(1 for _ in itertools.islice(_START_TAG.finditer(markup), limit + 1)) > limit:
        raise LoaderError("too_many_elements", f"the HTML has over {limit:,} elements")


def _collect(root: Tag, pieces: list[str], max_depth: int) -> None:
    """The visible text of `root` in document order; a block element starts and ends a
    line. Depth-first with an explicit stack, where None stands for a block's end."""
    stack: list[tuple[PageElement | None, int]] = [(c, 1) for c in reversed(root.contents)]
    while stack:
        node, depth = stack.pop()
        if node is None:
            pieces.append("\n")
        elif isinstance(node, NavigableString):
            if not isinstance(node, _NOT_TEXT):
                pieces.append(str(node).replace("\n", " "))
        elif isinstance(node, Tag) and node.name not in _HIDDEN:
            if depth > max_depth:
                raise LoaderError(
                    "too_deep", f"the HTML nests elements deeper than {max_depth} levels"
                )
            if node.name in _BLOCK:
                pieces.append("\n")
                stack.append((None, depth))
            stack.extend((child, depth + 1) for child in reversed(node.contents))
