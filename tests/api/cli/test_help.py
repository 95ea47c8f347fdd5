"""`citeqa --help` and each command's help read cleanly: whole summaries, named values, no
type tags on flags."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli import cli

COMMANDS = ["ask", "index", "serve", "eval", "milvus-lite"]


def help_text(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_command_list_summarises_every_command_whole() -> None:
    text = help_text()
    for command in COMMANDS:
        line = next(line for line in text.splitlines() if line.strip().startswith(command + " "))
        assert not line.rstrip().endswith("..."), line
    assert "╭" not in text  # plain text: it reads the same in a pipe, a log or a terminal


@pytest.mark.parametrize("command", COMMANDS)
def test_options_name_their_values_and_flags_take_none(command: str) -> None:
    text = help_text(command)
    assert "<bool>" not in text
    assert "<path>" not in text.split("Options:", 1)[1]


def test_ask_usage() -> None:
    text = help_text("ask")
    assert "QUESTION" in text.splitlines()[0]
    assert "--top-k N" in text
    assert "--index-dir DIR" in text
