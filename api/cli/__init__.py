"""Command line: `citeqa index | ask | serve | eval`."""

from __future__ import annotations

from api.cli import ask_cmd, index_cmd, milvus_cmd, serve_cmd
from api.cli import eval_cmd as eval_cmd
from api.cli.app import cli

__all__ = ["ask_cmd", "cli", "index_cmd", "main", "milvus_cmd", "serve_cmd"]


def main() -> None:
    cli()
