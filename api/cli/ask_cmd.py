"""`citeqa ask`: answer one question from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.app import cli, configure_runtime


@cli.command("ask", short_help="Answer a question, with citations.")
def ask_command(
    question: Annotated[str, typer.Argument(metavar="QUESTION", help="The question to answer.")],
    index_dir: Annotated[
        Path | None,
        typer.Option("--index-dir", metavar="DIR", help="Index folder (CITEQA_INDEX_DIR)."),
    ] = None,
    top_k: Annotated[
        int | None,
        typer.Option(
            "--top-k",
            min=1,
            max=50,
            metavar="N",
            help="Also print the N best-ranked passages, 1 to 50 (with --json, as "
            "`passages`), as top_k with include_passages does in POST /v1/ask; the answer "
            "is the same.",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the body POST /v1/ask returns.")
    ] = False,
) -> None:
    """Answer QUESTION with citations from the indexed documents."""
    configure_runtime()
    from index.settings import IndexSettings
    from index.snapshots.snapshot import SnapshotError
    from qa.factory import load_pipeline
    from qa.settings import QASettings

    text = question.strip()
    if not text:
        typer.echo("error: the question is empty", err=True)
        raise typer.Exit(2)
    settings = IndexSettings()
    if index_dir is not None:
        settings.index_dir = index_dir
    qa_settings = QASettings()
    if qa_settings.reader_precision == "auto":
        # One question: the reader's ONNX export starts without importing torch (a cold
        # Russian question took 3.1 s against 7.1 s in bfloat16 by torch).
        qa_settings = qa_settings.model_copy(update={"reader_precision": "float32"})
    try:
        pipeline = load_pipeline(settings, qa_settings)
    except SnapshotError as exc:
        typer.echo(f"error: {exc}; build one with `citeqa index`", err=True)
        raise typer.Exit(1) from exc
    answer = pipeline.ask(text, top_k=top_k, include_passages=top_k is not None)
    if as_json:
        typer.echo(answer.model_dump_json(exclude_none=True))
        return
    if answer.short_answer is not None:
        short = answer.short_answer
        typer.echo(f"{short.text} [{short.citation}]")
        typer.echo()
    typer.echo(answer.answer)
    for citation in answer.citations:
        typer.echo(
            f"[{citation.n}] {citation.title} ({citation.source}, "
            f'characters {citation.start}-{citation.end}): "{citation.quote}"'
        )
    if answer.passages is not None:
        typer.echo()
        typer.echo("Passages:")
        for rank, passage in enumerate(answer.passages, start=1):
            one_line = " ".join(passage.text.split())
            typer.echo(
                f"{rank}. {passage.title} ({passage.source}, characters {passage.start}-"
                f'{passage.end}, score {passage.score:g}): "{one_line}"'
            )
