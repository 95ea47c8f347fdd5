"""`citeqa milvus-lite`: a local Milvus (Lite) that several citeqa processes share."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Annotated

import typer

from api.cli.app import cli, configure_runtime


@cli.command("milvus-lite", short_help="Serve a Milvus Lite database for several processes.")
def milvus_lite_command(
    db: Annotated[Path, typer.Option("--db", metavar="FILE", help="The database file.")] = Path(
        ".citeqa/milvus.db"
    ),
    host: Annotated[str, typer.Option("--host", metavar="HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="PORT")] = 19530,
) -> None:
    """Serve a Milvus Lite database on HOST:PORT until stopped (Ctrl-C or SIGTERM); point
    servers and `citeqa index` at it with CITEQA_MILVUS_URI=http://HOST:PORT."""
    configure_runtime()
    from index.milvus.client import MilvusUnavailableError
    from index.milvus.lite import LiteServer

    server = LiteServer(db, host, port)
    try:
        server.start()
    except MilvusUnavailableError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    # Only a request: the handler runs inside server.wait() below, and waiting there again
    # for the engine deadlocked on subprocess's lock (the command never exited on SIGTERM).
    signal.signal(signal.SIGTERM, lambda *_: server.request_stop())
    typer.echo(f"Milvus Lite serving {db} on {server.uri}", err=True)
    try:
        code = server.wait()
    except KeyboardInterrupt:
        code = 0
    finally:
        server.stop()
    raise typer.Exit(0 if code in (0, -signal.SIGTERM) else 1)
