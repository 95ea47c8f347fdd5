"""Markdown: rendered to plain text with markdown-it-py (markup gone, one block a line)."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from index.loaders.encoding import decode_text
from index.loaders.front_matter import split_front_matter
from index.loaders.limits import LoaderLimits
from index.loaders.parsed import Parsed

_PARSER = MarkdownIt("commonmark", {"html": False}).enable("table")


def parse_markdown(data: bytes, limits: LoaderLimits) -> Parsed:
    metadata, body = split_front_matter(decode_text(data), limits)
    blocks: list[str] = []
    title: str | None = None
    tokens = _PARSER.parse(body)
    for i, token in enumerate(tokens):
        if token.type == "inline":
            line = _inline_text(token).strip()
            if line:
                blocks.append(line)
                if title is None and i > 0 and tokens[i - 1].type == "heading_open":
                    title = line
        elif token.type in ("fence", "code_block") and token.content.strip():
            blocks.append(token.content.strip())
    text = "\n\n".join(blocks)
    return Parsed(text=text, title=title, metadata=metadata)


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)
