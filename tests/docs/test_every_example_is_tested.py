"""Every block of README.md and docs/ is an example some test runs or checks, and every
link between the pages leads somewhere."""

from __future__ import annotations

import ast
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.docs.examples import PAGES, all_blocks

TESTS = REPO / "tests"


@cache
def strings_in_tests() -> frozenset[str]:
    """Every string constant of the test files: where tests name the examples they run."""
    found: set[str] = set()
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return frozenset(found)


def test_every_block_is_marked() -> None:
    unmarked = [b.where for b in all_blocks() if b.example_id is None and not b.diagram]
    assert not unmarked, f"blocks without <!-- example: ID -->: {unmarked}"


def test_example_ids_are_unique() -> None:
    counts = Counter(b.example_id for b in all_blocks() if b.example_id)
    assert [name for name, count in counts.items() if count > 1] == []


@pytest.mark.parametrize("example_id", sorted(b.example_id for b in all_blocks() if b.example_id))
def test_a_test_names_the_example(example_id: str) -> None:
    command = example_id.removesuffix(".output")
    assert command in strings_in_tests(), f"no test under tests/ names {command!r}"


def test_outputs_belong_to_an_example() -> None:
    ids = {b.example_id for b in all_blocks()}
    orphans = [
        i for i in ids if i and i.endswith(".output") and i.removesuffix(".output") not in ids
    ]
    assert orphans == []


LINK = re.compile(r"\[[^\]]*\]\((?!https?://|mailto:)(?P<target>[^)\s]+)\)")


def heading_anchors(page: Path) -> set[str]:
    """GitHub's anchors of the page's headings."""
    anchors = set()
    in_fence = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
        if not in_fence and line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_links_lead_to_pages_and_headings_that_exist(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for match in LINK.finditer(text):
        path, _, anchor = match.group("target").partition("#")
        target = (page.parent / path).resolve() if path else page
        assert target.exists(), f"{page.name}: {match.group(0)} leads nowhere"
        if anchor:
            assert anchor in heading_anchors(target), f"{page.name}: no heading #{anchor}"
