"""How the app is served under uvicorn: the connection-level bounds, in one place for
`citeqa serve` and the tests' live servers."""

from __future__ import annotations

from typing import Any

import uvicorn
from fastapi import FastAPI

from api.http.http_protocol import bounded_protocol
from api.settings import ApiSettings


def server_config(
    app: FastAPI, settings: ApiSettings, host: str, port: int, **options: Any
) -> uvicorn.Config:
    """uvicorn's configuration for `app`; `options` are passed on (log_level and the like)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=bounded_protocol(
            settings.request_read_timeout, settings.min_body_rate, settings.response_write_timeout
        ),
        # Forwarded headers are the app's business (CITEQA_TRUSTED_PROXIES, api.app):
        # uvicorn's own default trusts them from 127.0.0.1, so any local client could name
        # itself anything.
        proxy_headers=False,
        timeout_keep_alive=settings.keep_alive_timeout,
        h11_max_incomplete_event_size=settings.max_header_bytes,
        timeout_graceful_shutdown=5,
        **options,
    )
