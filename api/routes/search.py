"""POST /v1/search: ranked passages for a query, without composing an answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool

from api.checks.content_type import json_body
from api.checks.json_body import CheckedJsonRoute
from api.checks.validation import checked_filters, checked_question, checked_top_k
from api.routes.ask import ERRORS
from api.schemas.questions import SearchRequest, SearchResponse
from api.settings import ApiSettings
from api.state import get_pipeline, get_settings
from qa.pipeline import QAPipeline

router = APIRouter(
    route_class=CheckedJsonRoute, tags=["questions"], dependencies=[Depends(json_body)]
)


@router.post("/v1/search", response_model=SearchResponse, responses=ERRORS)
async def search(
    body: SearchRequest,
    pipeline: Annotated[QAPipeline, Depends(get_pipeline)],
    settings: Annotated[ApiSettings, Depends(get_settings)],
) -> SearchResponse:
    query = checked_question(body.query, settings, field="query")
    top_k = checked_top_k(body.top_k, settings)
    filters = checked_filters(body.filters)
    results = await run_in_threadpool(pipeline.search, query, top_k=top_k, filters=filters)
    return SearchResponse(results=results)
