"""POST /v1/ask: a question in, an answer with citations out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool

from api.checks.content_type import json_body
from api.checks.json_body import CheckedJsonRoute
from api.checks.validation import checked_filters, checked_history, checked_question, checked_top_k
from api.schemas.questions import AskRequest, AskResponse, ErrorBody
from api.settings import ApiSettings
from api.state import get_pipeline, get_settings
from qa.pipeline import QAPipeline
from qa.types import Answer

router = APIRouter(
    route_class=CheckedJsonRoute, tags=["questions"], dependencies=[Depends(json_body)]
)

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorBody},
    413: {"model": ErrorBody},
    415: {"model": ErrorBody, "description": "The body is not declared as JSON."},
    422: {"model": ErrorBody},
    503: {"model": ErrorBody},
}


@router.post(
    "/v1/ask", response_model=AskResponse, response_model_exclude_none=True, responses=ERRORS
)
async def ask(
    body: AskRequest,
    pipeline: Annotated[QAPipeline, Depends(get_pipeline)],
    settings: Annotated[ApiSettings, Depends(get_settings)],
) -> Answer:
    question = checked_question(body.question, settings)
    top_k = checked_top_k(body.top_k, settings)
    filters = checked_filters(body.filters)
    history = [(turn.role, turn.content) for turn in body.history or []]
    checked_history(history, settings)
    return await run_in_threadpool(
        pipeline.ask,
        question,
        top_k=top_k,
        filters=filters,
        history=history,
        include_passages=body.include_passages,
    )
