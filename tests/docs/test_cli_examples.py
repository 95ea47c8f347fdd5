"""The command-line examples of README.md and docs/, run as a user runs them: `citeqa
index` into a fresh index, then `citeqa ask` on it, their output compared with the pages;
and `make -n` on the README's two commands."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.docs.examples import assert_lines_match, commands, example, output_of, run_shell

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The index `citeqa index --corpus corpus` (docs/command-line.md) builds."""
    index = tmp_path_factory.mktemp("index")
    run = run_shell(example("cli-index"), env={"CITEQA_INDEX_DIR": str(index)}, cwd=REPO)
    shown = output_of("cli-index")
    assert shown is not None
    assert_lines_match(shown.text, run.stdout)
    return index


def test_readme_ask_from_the_command_line(index_dir: Path, tmp_path: Path) -> None:
    run = run_shell(example("readme-cli"), env={"CITEQA_INDEX_DIR": str(index_dir)}, cwd=tmp_path)
    shown = output_of("readme-cli")
    assert shown is not None
    assert_lines_match(shown.text, run.stdout)


@pytest.mark.parametrize(
    ("target", "runs"),
    [
        ("serve", "citeqa serve --host 127.0.0.1 --port 8000"),
        ("test", "pytest"),
        ("check", 'pytest -n 2 --dist loadfile -m "not slow"'),
    ],
)
def test_readme_make_targets(target: str, runs: str) -> None:
    """`make -n` prints what the README's commands would run, without running them."""
    documented = [c.argv for c in commands(example("readme-make"))]
    assert ["make", target] in documented
    result = subprocess.run(
        ["make", "-n", target], capture_output=True, text=True, cwd=REPO, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert runs in result.stdout
