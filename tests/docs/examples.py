"""The examples of README.md and docs/*.md, read from the pages themselves.

Every fenced block of those pages is preceded by a marker naming it:

    <!-- example: ID [status=NNN] -->

and a block `ID.output` (if any) is what the command `ID` prints. Tests load a block with
`example(ID)` and run or check exactly its text, so a page cannot drift from what citeqa
does; `tests/docs/test_every_example_is_tested.py` fails for a block without a marker, or
with an id that no test names. A block that is a drawing, not an example, is marked
`<!-- diagram -->`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from tests.conftest import REPO

PAGES = (REPO / "README.md", *sorted((REPO / "docs").glob("*.md")))
MARKER = re.compile(
    r"^<!--\s*example:\s*(?P<id>[a-z0-9][a-z0-9.-]*)(?P<attrs>(?:\s+[a-z]+=\S+)*)\s*-->\s*$"
)
DIAGRAM = re.compile(r"^<!--\s*diagram\s*-->\s*$")
ELLIPSIS = "..."
# The address the pages use for a running server, and the virtualenv they name.
DOCUMENTED_HOSTS = ("http://127.0.0.1:8000", "http://localhost:8000", "localhost:8000")
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Block:
    """A fenced block of a page, with the id its marker gives it."""

    page: Path
    line: int
    info: str
    text: str
    example_id: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    diagram: bool = False

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"

    def json(self) -> Any:
        return json.loads(self.text)


def page_blocks(page: Path) -> list[Block]:
    """The fenced and indented code blocks of `page`, in order, with their markers."""
    tokens = MarkdownIt("commonmark").parse(page.read_text(encoding="utf-8"))
    found = []
    for previous, token in zip([None, *tokens], tokens, strict=False):
        if token.type not in ("fence", "code_block"):
            continue
        marker = previous.content.strip() if previous and previous.type == "html_block" else ""
        match = MARKER.match(marker)
        attrs = dict(a.split("=", 1) for a in match.group("attrs").split()) if match else {}
        found.append(
            Block(
                page=page,
                line=(token.map[0] + 1) if token.map else 0,
                info=token.info.strip(),
                text=token.content,
                example_id=match.group("id") if match else None,
                attrs=attrs,
                diagram=bool(DIAGRAM.match(marker)),
            )
        )
    return found


@cache
def all_blocks() -> tuple[Block, ...]:
    return tuple(block for page in PAGES for block in page_blocks(page))


def example(example_id: str) -> Block:
    """The block marked `example_id` in README.md or docs/."""
    matches = [block for block in all_blocks() if block.example_id == example_id]
    if len(matches) != 1:
        raise LookupError(f"{len(matches)} blocks are marked 'example: {example_id}'")
    return matches[0]


def output_of(example_id: str) -> Block | None:
    """The block marked `example_id.output`, if the pages show one."""
    matches = [b for b in all_blocks() if b.example_id == f"{example_id}.output"]
    return matches[0] if matches else None


# ---- comparing what the pages show with what citeqa gives -------------------------------


def shape_problems(documented: Any, actual: Any, path: str = "$") -> list[str]:
    """Where `actual` differs from the `documented` JSON: the same keys, types and lists;
    equal strings and booleans; numbers of the same kind (their values vary). A string
    "..." stands for any value, a string with "..." for text holding its other parts in
    order, a key "..." for keys left out, a last list item "..." for more items."""
    if documented == ELLIPSIS:
        return []
    if isinstance(documented, dict):
        return _dict_problems(documented, actual, path)
    if isinstance(documented, list):
        return _list_problems(documented, actual, path)
    if isinstance(documented, str):
        return (
            []
            if text_matches(documented, actual)
            else [f"{path}: {actual!r} is not {documented!r}"]
        )
    if isinstance(documented, bool) or documented is None:
        return [] if actual is documented else [f"{path}: {actual!r} is not {documented!r}"]
    if isinstance(actual, bool) or not isinstance(actual, int | float):
        return [f"{path}: {actual!r} is not a number"]
    if isinstance(documented, int) and not isinstance(actual, int):
        return [f"{path}: {actual!r} is not an integer"]
    return []


def _dict_problems(documented: dict[str, Any], actual: Any, path: str) -> list[str]:
    if not isinstance(actual, dict):
        return [f"{path}: {actual!r} is not an object"]
    keys = set(documented) - {ELLIPSIS}
    problems = [f"{path}: {key!r} is missing" for key in sorted(keys - set(actual))]
    if ELLIPSIS not in documented:
        problems += [f"{path}: {key!r} is not documented" for key in sorted(set(actual) - keys)]
    for key in sorted(keys & set(actual)):
        problems += shape_problems(documented[key], actual[key], f"{path}.{key}")
    return problems


def _list_problems(documented: list[Any], actual: Any, path: str) -> list[str]:
    if not isinstance(actual, list):
        return [f"{path}: {actual!r} is not a list"]
    open_ended = bool(documented) and documented[-1] == ELLIPSIS
    shown = documented[:-1] if open_ended else documented
    if len(actual) < len(shown) or (not open_ended and len(actual) != len(shown)):
        return [f"{path}: {len(actual)} items, the page shows {len(documented)}"]
    problems = []
    for index, item in enumerate(shown):
        problems += shape_problems(item, actual[index], f"{path}[{index}]")
    return problems


def text_matches(documented: str, actual: object) -> bool:
    """`actual` is `documented`, where each "..." of `documented` stands for any text."""
    if not isinstance(actual, str):
        return False
    parts = [re.escape(part.strip()) for part in documented.split(ELLIPSIS)]
    return re.fullmatch(r"\s*.*?\s*".join(parts), actual.strip(), flags=re.DOTALL) is not None


def assert_lines_match(documented: str, actual: str) -> None:
    """Each documented line matches the actual line at the same place ("..." as any text)."""
    shown, printed = documented.strip().splitlines(), actual.strip().splitlines()
    assert len(printed) == len(shown), f"printed {printed!r}, the page shows {shown!r}"
    for want, got in zip(shown, printed, strict=True):
        assert text_matches(want, got), f"printed {got!r}, the page shows {want!r}"


def json_values(text: str) -> list[Any]:
    """The JSON values printed one after the other (curl adds no newline between bodies)."""
    decoder, values, at = json.JSONDecoder(), [], 0
    while at < len(text.rstrip()):
        value, end = decoder.raw_decode(text, at)
        values.append(value)
        at = end + len(text[end:]) - len(text[end:].lstrip())
    return values


def server_sent_events(text: str) -> list[tuple[str, Any]]:
    """(event, data) of a server-sent event stream; comments are left out."""
    events = []
    for chunk in re.split(r"\r?\n\r?\n", text.strip()):
        lines = [line for line in chunk.splitlines() if line and not line.startswith(":")]
        if not lines:
            continue
        fields = dict(line.split(": ", 1) for line in lines)
        events.append((fields.get("event", "message"), json.loads(fields["data"])))
    return events


# ---- running a shell example --------------------------------------------------------


@dataclass(frozen=True)
class ShellRun:
    stdout: str
    stderr: str
    statuses: list[int]


# curl as the pages call it, also writing each response's HTTP status to stderr.
CURL_STATUS = "curl() { command curl --write-out '%{stderr}HTTP %{http_code}\\n' \"$@\"; }\n"


def for_server(text: str, url: str) -> str:
    """`text` with the documented server address replaced by `url`."""
    for host in DOCUMENTED_HOSTS:
        text = text.replace(host, url if host.startswith("http") else url.split("//", 1)[1])
    return text


def run_shell(
    block: Block,
    *,
    url: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path = REPO,
    timeout: float = 600,
) -> ShellRun:
    """Run the block with bash as a user would (against `url` instead of port 8000, with
    `.venv/bin` being this interpreter's), failing on any command that fails."""
    script = block.text.replace(".venv/bin/", f"{VENV_BIN}/")
    if url is not None:
        script = for_server(script, url)
    result = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + CURL_STATUS + script],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, "PATH": f"{VENV_BIN}:{os.environ['PATH']}", **(env or {})},
        check=False,
    )
    assert result.returncode == 0, f"{block.where}: exit {result.returncode}\n{result.stderr}"
    statuses = [int(code) for code in re.findall(r"^HTTP (\d{3})$", result.stderr, re.M)]
    return ShellRun(result.stdout, result.stderr, statuses)


def expected_status(example_id: str) -> int:
    """The HTTP status the page gives for the example's requests (default 200)."""
    output = output_of(example_id)
    attrs = {**example(example_id).attrs, **(output.attrs if output else {})}
    return int(attrs.get("status", "200"))


# ---- reading a shell example as commands --------------------------------------------


@dataclass(frozen=True)
class Command:
    """One command line of a shell example: its environment assignments and words."""

    env: dict[str, str]
    argv: list[str]
    background: bool = False


ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def commands(block: Block) -> list[Command]:
    """The commands of a shell example, with the variables exported before each and the
    ones assigned on its line; comments and line continuations as bash reads them."""
    exported: dict[str, str] = {}
    found = []
    for line in block.text.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        background = bool(words) and words[-1] == "&"
        words = words[:-1] if background else words
        if words[:1] == ["export"]:
            exported.update(word.split("=", 1) for word in words[1:])  # type: ignore[misc]
            continue
        assigned = {}
        while words and ASSIGNMENT.match(words[0]):
            name, value = words.pop(0).split("=", 1)
            assigned[name] = value
        if words:
            found.append(Command({**exported, **assigned}, words, background))
        else:
            exported.update(assigned)
    return found


def run_request_example(example_id: str, url: str, **kwargs: Any) -> str:
    """Run an example of HTTP requests against the server at `url`; its stdout. Every
    request must have got the status the page gives."""
    run = run_shell(example(example_id), url=url, **kwargs)
    status = expected_status(example_id)
    assert run.statuses, f"{example_id}: no request was made"
    assert all(code == status for code in run.statuses), (example_id, run.statuses, run.stdout)
    return run.stdout
