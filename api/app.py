"""The FastAPI application factory."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.http.allow_header import AllowHeader
from api.http.errors import install_error_handlers
from api.http.middleware import BodySizeLimit
from api.http.openapi import install_openapi
from api.http.ratelimit import RateLimit, parse_rate
from api.http.route_templates import RouteTemplates
from api.http.security_headers import SecurityHeaders
from api.lifecycle import pipeline_ready, shutdown
from api.observability.metrics import Metrics
from api.observability.request_tracking import RequestTracking
from api.routes import (
    ask,
    chat,
    documents,
    health,
    metrics,
    openai_compat,
    refresh,
    search,
    widget,
)
from api.schemas.questions import ErrorBody
from api.settings import ApiSettings
from index.settings import IndexSettings
from qa.pipeline import QAPipeline

log = logging.getLogger(__name__)

PipelineLoader = Callable[[], QAPipeline]

DOCS_URL, REDOC_URL = "/docs", "/redoc"
# Swagger UI and ReDoc come from the fastapi-offline package: no CDN, so /docs works offline.
DOCS_ASSETS = "/docs/static"


def create_app(
    settings: ApiSettings | None = None,
    *,
    pipeline: QAPipeline | None = None,
    loader: PipelineLoader | None = None,
    index_settings: IndexSettings | None = None,
) -> FastAPI:
    """Build the app. Without `pipeline`, it is loaded in the background at start-up
    (by `loader`, default: the snapshot in CITEQA_INDEX_DIR), and /readyz says when.
    The document admin API works on `index_settings` (default with the default loader:
    CITEQA_INDEX_DIR and CITEQA_CORPUS_DIR; otherwise off)."""
    settings = settings or ApiSettings()
    if index_settings is None and pipeline is None and loader is None:
        index_settings = IndexSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.pipeline is None:
            threading.Thread(
                target=_load, args=(app, loader or _default_loader), daemon=True
            ).start()
        else:
            pipeline_ready(app)
        yield
        shutdown(app)

    app = FastAPIOffline(
        docs_url=DOCS_URL,
        redoc_url=REDOC_URL,
        static_url=DOCS_ASSETS,
        favicon_url="/favicon.ico",
        title="citeqa",
        summary="Answers questions about your documents, citing them verbatim.",
        version="0.1.0",
        lifespan=lifespan,
        responses={
            408: {"model": ErrorBody, "description": "The request was not sent in time."},
            413: {"model": ErrorBody, "description": "The request body is too large."},
            429: {"model": ErrorBody, "description": "Rate limited; see Retry-After."},
        },
    )
    app.state.settings = settings
    app.state.pipeline = pipeline
    app.state.load_error = None
    app.state.index_settings = index_settings
    app.state.admin = None
    app.state.metrics = Metrics(
        snapshot=lambda: app.state.pipeline.snapshot if app.state.pipeline else None,
        refresh_status=lambda: app.state.admin.status() if app.state.admin else None,
    )
    install_error_handlers(app)
    install_openapi(app, settings)
    for module in (ask, chat, search, health, documents, refresh, metrics, widget, openai_compat):
        app.include_router(module.router)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=int(settings.max_upload_mb * (1 << 20)) + (1 << 16),
    )
    rate = parse_rate(settings.rate_limit)
    app.add_middleware(
        RateLimit,
        rate=rate,
        # CITEQA_RATE_LIMIT=0 turns rate limiting off, the admin buckets too.
        admin_rate=parse_rate(settings.admin_rate_limit) if rate else None,
        max_clients=settings.rate_limit_max_clients,
    )
    app.add_middleware(
        SecurityHeaders,
        docs_paths=frozenset({DOCS_URL, REDOC_URL}),
    )
    app.add_middleware(
        CORSMiddleware,  # outside the rate limit, so refusals carry CORS headers too
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        expose_headers=["X-Request-ID", "Retry-After"],
        max_age=600,
    )
    templates = RouteTemplates(app)
    app.add_middleware(AllowHeader, templates=templates)
    if settings.trusted_proxies:  # inside RequestTracking, which logs the peer and the client
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.add_middleware(RequestTracking, metrics=app.state.metrics, templates=templates)
    return app


def _load(app: FastAPI, loader: PipelineLoader) -> None:
    try:
        app.state.pipeline = loader()
        log.info("ready: snapshot %s", app.state.pipeline.snapshot.snapshot_id)
        pipeline_ready(app)
    except Exception as exc:  # reported on /readyz; the process stays up for /healthz
        log.exception("loading the index failed")
        app.state.load_error = str(exc)


def _default_loader() -> QAPipeline:
    from qa.factory import load_pipeline

    return load_pipeline(warm_up=True)
