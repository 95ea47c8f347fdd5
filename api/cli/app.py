"""The `citeqa` command-line application; each command lives in its own module."""

from __future__ import annotations

import logging
import os

import typer

cli = typer.Typer(
    name="citeqa",
    help="Answer questions about your documents, with citations that quote them verbatim.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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
