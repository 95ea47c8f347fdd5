"""Hostile inputs for the soak benchmark: documents and request bodies an attacker or a
careless client sends, each with the answer the server must give."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

ALIAS_LEVELS = 7  # 9**7 values from 313 bytes
DEPTH = 3_000


def alias_bomb(levels: int = ALIAS_LEVELS) -> str:
    """Markdown whose front matter nests aliases: 9**levels values once expanded."""
    names = "abcdefghij"
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for previous, name in itertools.pairwise(names[:levels]):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + "\n---\nAn alias bomb.\n"


def deep_front_matter(depth: int = DEPTH) -> str:
    return "---\nx: " + "[" * depth + "]" * depth + "\n---\nDeep front matter.\n"


def deep_html(depth: int = DEPTH) -> str:
    return "<html><body>" + "<div>" * depth + "deep" + "</div>" * depth + "</body></html>"


def nested_json(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


HOSTILE_FILES = {
    "alias-bomb.md": alias_bomb(),
    "deep-front-matter.md": deep_front_matter(),
    "deep.html": deep_html(),
}


@dataclass(frozen=True)
class Probe:
    """One request and the statuses that are a right answer to it."""

    kind: str
    method: str
    path: str
    expect: frozenset[int]
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes, str]] | None = None
    data: dict[str, str] | None = None
    admin: bool = False


def _json(kind: str, path: str, body: str, expect: int) -> Probe:
    return Probe(
        kind,
        "POST",
        path,
        frozenset({expect}),
        content=body.encode(),
        headers={"content-type": "application/json"},
    )


def _upload(kind: str, name: str, text: str, fields: dict[str, str] | None = None) -> Probe:
    return Probe(
        kind,
        "POST",
        "/v1/documents",
        frozenset({422}),
        files={"file": (name, text.encode(), "application/octet-stream")},
        data=fields or {},
        admin=True,
    )


def hostile_probes(max_body_bytes: int) -> list[Probe]:
    """Requests refused with a 4xx, whatever the load."""
    lone = "\\ud800"
    return [
        _json("surrogate_ask", "/v1/ask", f'{{"question": "{lone}"}}', 422),
        _json("surrogate_search", "/v1/search", f'{{"query": "IIOE {lone}"}}', 422),
        _json("surrogate_chat", "/v1/chat", f'{{"question": "{lone}"}}', 422),
        _json(
            "surrogate_completion",
            "/v1/chat/completions",
            f'{{"model": "citeqa", "messages": [{{"role": "user", "content": "{lone}"}}]}}',
            422,
        ),
        _json(
            "deep_json",
            "/v1/ask",
            f'{{"question": "What is IIOE?", "filters": {nested_json(DEPTH)}}}',
            422,
        ),
        _json("empty_question", "/v1/ask", '{"question": "  "}', 422),
        _json(
            "oversized_body",
            "/v1/ask",
            '{"question": "' + "a" * (max_body_bytes + 1) + '"}',
            413,
        ),
        _upload("upload_alias_bomb", "alias-bomb.md", alias_bomb()),
        _upload("upload_deep_front_matter", "deep.md", deep_front_matter()),
        _upload("upload_deep_html", "deep.html", deep_html()),
        _upload(
            "upload_deep_metadata",
            "meta.txt",
            "The Velsa river is 42 kilometres long.",
            {"metadata": nested_json(2_000)},
        ),
    ]


def big_history(turns: int = 20, chars: int = 20_000) -> list[dict[str, str]]:
    """The largest history the API takes: 20 turns of 20,000 characters."""
    return [
        {"role": "user" if i % 2 == 0 else "assistant", "content": (f"{i} " + "x" * chars)[:chars]}
        for i in range(turns)
    ]
