"""Access to the loaded pipeline from request handlers."""

from __future__ import annotations

from fastapi import Request

from api.http.errors import ApiError
from api.settings import ApiSettings
from qa.pipeline import QAPipeline


def get_pipeline(request: Request) -> QAPipeline:
    pipeline: QAPipeline | None = getattr(request.app.state, "pipeline", None)
    if pipeline is None:
        raise ApiError(503, "not_ready", "the index is still loading; try again shortly")
    return pipeline


def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings
