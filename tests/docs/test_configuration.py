"""docs/configuration.md lists every setting there is, as the settings classes define it,
and every CITEQA_ variable the pages or the code name is one of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docs.settings_table import iter_problems, settings_classes, variables
from tests.conftest import REPO
from tests.docs.examples import PAGES

VARIABLE = re.compile(r"\bCITEQA_[A-Z0-9_]*[A-Z0-9]\b")
CODE = ("api", "index", "qa", "bench", "tests")


def test_the_table_is_up_to_date() -> None:
    assert list(iter_problems()) == []


def test_every_layer_has_settings() -> None:
    modules = {item.module.split(".")[0] for item in settings_classes()}
    assert modules == {"api", "index", "qa"}


def named_variables(path: Path) -> set[str]:
    return set(VARIABLE.findall(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_pages_name_only_real_settings(page: Path) -> None:
    assert named_variables(page) - set(variables()) == set()


def test_code_names_only_real_settings() -> None:
    named: set[str] = set()
    for package in CODE:
        for path in (REPO / package).rglob("*.py"):
            named |= named_variables(path)
    prefixes = {"CITEQA_", "CITEQA_CONVERSATION_", "CITEQA_EVAL_"}
    # A benchmark's own variables, set for the processes it starts, are not settings.
    benchmark_own = {name for name in named if name.startswith("CITEQA_BENCH_")}
    assert named - set(variables()) - prefixes - benchmark_own == set()
