"""pyproject.toml: the core install holds what the product imports, and the extras hold the
rest, each for the use it is named after."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tests.conftest import REPO

PRODUCT = ("api", "index", "qa")
FIRST_PARTY = {"api", "index", "qa", "bench", "tests", "train", "docs"}
# Extras the product imports from, in the modules that only run when the extra is chosen
# (CITEQA_LLM=llamacpp, CITEQA_VECTOR_STORE=milvus, CITEQA_RAY_ADDRESS).
OPTIONAL = {"llm", "milvus", "ray"}


@cache
def requirements() -> dict[str, set[str]]:
    """Distribution names, normalised, per group: "core" and each extra."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = {"core": project["dependencies"], **project["optional-dependencies"]}
    return {
        group: {normalise(re.split(r"[\s<>=!~\[;]", r)[0]) for r in reqs}
        for group, reqs in groups.items()
    }


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imports(path: Path) -> set[str]:
    """Third-party top-level modules `path` imports, wherever in the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in FIRST_PARTY}


@cache
def installed() -> dict[str, list[str]]:
    """Top-level module -> distributions (one scan of site-packages, which takes seconds)."""
    return dict(packages_distributions())


def distributions(module: str) -> set[str]:
    """The distributions that provide `module`; one not installed here (an extra left out
    of this virtualenv) is taken to be the distribution of its own name."""
    return {normalise(d) for d in installed().get(module, [module])}


def product_files() -> list[Path]:
    return [p for package in PRODUCT for p in sorted((REPO / package).rglob("*.py"))]


@pytest.mark.parametrize("path", product_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_the_product_imports_the_core_or_a_chosen_extra(path: Path) -> None:
    allowed = requirements()["core"].union(*(requirements()[g] for g in OPTIONAL))
    for module in imports(path):
        assert distributions(module) & allowed, f"{module}: not in the core nor in {OPTIONAL}"


def test_benchmark_packages_stay_out_of_the_product() -> None:
    product = requirements()["core"].union(*(requirements()[g] for g in OPTIONAL))
    only_bench = requirements()["bench"] - product  # langchain-community is also in `llm`
    assert "langchain-text-splitters" in only_bench
    for path in product_files():
        for module in imports(path):
            assert not distributions(module) <= only_bench, f"{path} imports {module}"


@pytest.mark.parametrize("package", ["bench", "tests"])
def test_benchmarks_and_tests_import_only_what_an_extra_declares(package: str) -> None:
    declared = set().union(*requirements().values())
    for path in sorted((REPO / package).rglob("*.py")):
        for module in imports(path):
            assert distributions(module) & declared, f"{path}: {module} is declared nowhere"


def test_every_extra_says_why_it_exists() -> None:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    for extra in requirements():
        if extra != "core":
            assert re.search(rf"#[^\n]*\n(#[^\n]*\n)*{extra} = \[", text), extra
