"""The `citeqa` command-line application; each command lives in its own module."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import typer

_IMPORTED = time.perf_counter()

cli = typer.Typer(
    name="citeqa",
    help="Answer questions about your documents, with citations that quote them verbatim.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def configure_runtime(verbose: bool = False) -> None:
    """Offline model loading and quiet third-party logs for every command."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # transformers draws a "Loading weights" bar on stderr for every model it loads, so a
    # one-off `citeqa ask` printed one before its answer; our own bars are not affected.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("sentence_transformers", "faiss", "bm25s", "httpx", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def elapsed_seconds() -> float:
    """Seconds since this process started, imports and model loading included (from
    /proc on Linux; elsewhere since the command line was imported)."""
    try:
        after_name = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(after_name[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start time
        return float(Path("/proc/uptime").read_text().split()[0]) - started
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED
