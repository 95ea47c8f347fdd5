"""HTML: visible text with Beautiful Soup, one line per block element; <title> as title."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)

from index.loaders.encoding import decode_text
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


def parse_html(data: bytes) -> Parsed:
    soup = BeautifulSoup(decode_text(data), "html.parser")
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if isinstance(title_tag, Tag) else None
    pieces: list[str] = []
    _collect(soup, pieces)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(pieces).split("\n"))
    text = "\n".join(line for line in lines if line)
    if not title:
        heading = soup.find("h1")
        title = heading.get_text(" ", strip=True) if isinstance(heading, Tag) else None
    return Parsed(text=text, title=title or None)


def _collect(node: Tag, pieces: list[str]) -> None:
    for child in node.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, _NOT_TEXT):
                pieces.append(str(child).replace("\n", " "))
        elif isinstance(child, Tag) and child.name not in _HIDDEN:
            block = child.name in _BLOCK
            if block:
                pieces.append("\n")
            _collect(child, pieces)
            if block:
                pieces.append("\n")
