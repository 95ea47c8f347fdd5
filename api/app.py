"""The FastAPI application factory."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.middleware import BodySizeLimit
from api.routes import ask, health, search
from api.settings import ApiSettings
from qa.pipeline import QAPipeline

log = logging.getLogger(__name__)

PipelineLoader = Callable[[], QAPipeline]


def create_app(
    settings: ApiSettings | None = None,
    *,
    pipeline: QAPipeline | None = None,
    loader: PipelineLoader | None = None,
) -> FastAPI:
    """Build the app. Without `pipeline`, it is loaded in the background at start-up
    (by `loader`, default: the snapshot in CITEQA_INDEX_DIR), and /readyz says when."""
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.pipeline is None:
            threading.Thread(
                target=_load, args=(app, loader or _default_loader), daemon=True
            ).start()
        yield

    app = FastAPI(
        title="citeqa",
        summary="Answers questions about your documents, citing them verbatim.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.pipeline = pipeline
    app.state.load_error = None
    install_error_handlers(app)
    for module in (ask, search, health):
        app.include_router(module.router)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=int(settings.max_upload_mb * (1 << 20)) + (1 << 16),
    )
    return app


def _load(app: FastAPI, loader: PipelineLoader) -> None:
    try:
        app.state.pipeline = loader()
        log.info("ready: snapshot %s", app.state.pipeline.snapshot.snapshot_id)
    except Exception as exc:  # reported on /readyz; the process stays up for /healthz
        log.exception("loading the index failed")
        app.state.load_error = str(exc)


def _default_loader() -> QAPipeline:
    from qa.factory import load_pipeline

    return load_pipeline()
