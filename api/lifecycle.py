"""What starts once the pipeline is loaded, and stops with the app."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from api.admin import start_admin, stop_admin
from api.observability.answer_metrics import observe_answers

log = logging.getLogger(__name__)


def pipeline_ready(app: FastAPI) -> None:
    """Answer metrics on the pipeline, then the document admin (if configured)."""
    observe_answers(app.state.pipeline, app.state.metrics)
    try:
        start_admin(app)
    except Exception:  # questions are still answered; admin routes say 503
        log.exception("the document admin could not start")


def shutdown(app: FastAPI) -> None:
    stop_admin(app)
