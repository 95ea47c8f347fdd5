"""`citeqa serve`: the HTTP API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.app import cli, configure_runtime


@cli.command("serve", short_help="Serve the HTTP API, the docs and the widget.")
def serve_command(
    host: Annotated[
        str | None, typer.Option("--host", metavar="HOST", help="Default 127.0.0.1 (CITEQA_HOST).")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", metavar="PORT", help="Default 8000 (CITEQA_PORT).")
    ] = None,
    index_dir: Annotated[
        Path | None,
        typer.Option("--index-dir", metavar="DIR", help="Index folder (CITEQA_INDEX_DIR)."),
    ] = None,
) -> None:
    """Serve the HTTP API; /readyz turns ready once the index is loaded."""
    configure_runtime(verbose=True)
    import uvicorn

    from api.app import create_app
    from api.http.server import server_config
    from api.settings import ApiSettings
    from index.settings import IndexSettings
    from qa.factory import load_pipeline

    settings = ApiSettings()
    index_settings = IndexSettings()
    if index_dir is not None:
        index_settings.index_dir = index_dir
    if settings.log_format == "json":
        from api.observability.jsonlog import use_json_logs

        use_json_logs()
    app = create_app(
        settings,
        loader=lambda: load_pipeline(index_settings, warm_up=True),
        index_settings=index_settings,
    )
    config = server_config(
        app,
        settings,
        host or settings.host,
        port or settings.port,
        log_level="info",
        log_config=None,  # uvicorn logs through the root logger (JSON lines by default)
        access_log=False,  # api.observability.request_tracking writes one access line per request
    )
    uvicorn.Server(config).run()
