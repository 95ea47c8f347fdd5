"""A `citeqa` command run inside the test process with typer's CliRunner: the real command
line without the seconds a new Python spends importing, for invocations that fail before
anything is loaded."""

from __future__ import annotations

from dataclasses import dataclass

from typer.testing import CliRunner

from api.cli import cli


@dataclass(frozen=True, slots=True)
class Completed:
    """What a finished command left: its exit status and its two output streams."""

    returncode: int
    stdout: str
    stderr: str


def invoke(*args: str, env: dict[str, str] | None = None) -> Completed:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return Completed(result.exit_code, result.stdout, result.stderr)
