"""`citeqa eval`: batch evaluation on SQuAD JSON or JSONL questions, with reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from api.cli.app import cli, configure_runtime


@cli.command("eval", short_help="Measure retrieval, answers and citations on a dataset.")
def eval_command(
    dataset: Annotated[
        Path,
        typer.Argument(
            metavar="DATASET",
            help="SQuAD JSON (its contexts become the corpus of a fresh index) or JSONL rows "
            '{"id", "question", "answers": [...], "unanswerable": bool}.',
        ),
    ],
    index_dir: Annotated[
        Path | None,
        typer.Option(
            "--index-dir",
            metavar="DIR",
            help="SQuAD: build or update the index here (default: a cache folder keyed by "
            "the data and settings). JSONL: the index to ask (default CITEQA_INDEX_DIR).",
        ),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url", metavar="URL", help="Ask a running server instead, e.g. http://127.0.0.1:8000"
        ),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out", metavar="DIR", help="Folder for report.json, questions.jsonl, report.html."
        ),
    ] = Path("eval-report"),
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, metavar="N", help="Ask only the first N questions."),
    ] = None,
    compare: Annotated[
        Path | None,
        typer.Option(
            "--compare",
            metavar="REPORT",
            help="An earlier report.json: print and render the deltas.",
        ),
    ] = None,
    fail_under: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-under",
            metavar="METRIC=VALUE",
            help="METRIC=VALUE, repeatable: exit 1 when a metric is below VALUE.",
        ),
    ] = None,
    multilingual: Annotated[
        bool | None,
        typer.Option(
            "--multilingual/--no-multilingual",
            help="SQuAD: embed chunks and sentences with the multilingual model too (default: "
            "as `citeqa index` does, when CITEQA_MULTILINGUAL_MODEL is set); --no-multilingual "
            "indexes faster but evaluates without the multilingual retrieval lists.",
        ),
    ] = None,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Progress bars on standard error.")
    ] = True,
) -> None:
    """Ask every question of DATASET and write the metrics and reports into --out."""
    configure_runtime()
    from index.snapshots.snapshot import SnapshotError
    from qa.eval.compare import compare as deltas
    from qa.eval.compare import format_deltas, parse_threshold, shortfalls
    from qa.eval.datasets import DatasetError, load_dataset
    from qa.eval.html_report import render_html
    from qa.eval.prepare import prepare
    from qa.eval.report import REPORT_HTML, ReportError, load_metrics, report_body, write_json_files
    from qa.eval.runner import run_eval
    from qa.eval.targets import TargetError

    if index_dir is not None and url is not None:
        _fail("use either --index-dir or --url, not both")
    try:
        thresholds = [parse_threshold(t) for t in fail_under or []]
        baseline = load_metrics(compare) if compare is not None else None
        data = load_dataset(dataset)
    except (ValueError, ReportError, DatasetError) as exc:
        _fail(str(exc))
    try:
        prepared = prepare(
            data, index_dir=index_dir, url=url, multilingual=multilingual, progress=progress
        )
        for note in prepared.notes:
            typer.echo(note, err=True)
        run = run_eval(data, prepared.target, limit=limit, progress=progress)
    except (SnapshotError, TargetError) as exc:
        _fail(str(exc))
    run.settings = prepared.settings
    body = report_body(run, prepared.versions, limit)
    write_json_files(run, out, body)
    (out / REPORT_HTML).write_text(render_html(run, body, baseline), "utf-8")
    typer.echo(_metrics_lines(run.metrics))
    if baseline is not None:
        typer.echo(f"\ncompared with {compare}:\n" + format_deltas(deltas(run.metrics, baseline)))
    typer.echo(f"\nwrote {out}/report.json, questions.jsonl, report.html")
    failed = shortfalls(run.metrics, thresholds)
    for message in failed:
        typer.echo(f"fail-under: {message}", err=True)
    if failed:
        raise typer.Exit(1)


def _metrics_lines(metrics: dict[str, float]) -> str:
    return "\n".join(
        f"{name:<20} {int(value) if name == 'count' else round(value, 4)}"
        for name, value in metrics.items()
    )


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)
