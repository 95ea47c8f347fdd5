"""`citeqa index`: build or refresh the index from a corpus directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.app import cli, configure_runtime, elapsed_seconds


@cli.command("index", short_help="Build or refresh the index (incremental).")
def index_command(
    corpus: Annotated[
        Path | None,
        typer.Option("--corpus", metavar="DIR", help="Documents folder (CITEQA_CORPUS_DIR)."),
    ] = None,
    index_dir: Annotated[
        Path | None,
        typer.Option("--index-dir", metavar="DIR", help="Index folder (CITEQA_INDEX_DIR)."),
    ] = None,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            help="Embed on this Ray cluster (such as 127.0.0.1:6379; CITEQA_RAY_ADDRESS); "
            "needs the `ray` extra on every node.",
        ),
    ] = None,
) -> None:
    """Build or refresh the index: unchanged documents are not embedded again."""
    configure_runtime()
    from index.service import build_index
    from index.settings import IndexSettings

    settings = IndexSettings()
    if corpus is not None:
        settings.corpus_dir = corpus
    if index_dir is not None:
        settings.index_dir = index_dir
    if ray is not None:
        settings.ray_address = ray
    if not settings.corpus_dir.is_dir():
        typer.echo(f"error: corpus folder {settings.corpus_dir} does not exist", err=True)
        raise typer.Exit(2)
    report, skipped, stats = build_index(settings)
    for name, reason in skipped:
        typer.echo(f"skipped {name}: {reason}", err=True)
    typer.echo(
        f"documents: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.removed)} removed, {report.unchanged} unchanged; "
        f"chunks: {report.chunks} ({report.embedded_chunks} embedded); "
        f"{elapsed_seconds():.1f} s; snapshot {report.snapshot_id}"
    )
    for line in stats:
        typer.echo(f"ray: {line}")
    if report.full_rebuild_reason and report.full_rebuild_reason != "no previous snapshot":
        typer.echo(f"full rebuild: {report.full_rebuild_reason}")
