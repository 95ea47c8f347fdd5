"""GET /healthz (the process answers) and GET /readyz (an index is loaded)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.checks.json_body import CheckedJsonRoute
from api.schemas.questions import Health, Readiness

router = APIRouter(route_class=CheckedJsonRoute, tags=["operations"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
async def readyz(request: Request) -> JSONResponse:
    pipeline = getattr(request.app.state, "pipeline", None)
    if pipeline is None:
        failure = getattr(request.app.state, "load_error", None)
        body = Readiness(status="failed" if failure else "loading", detail=failure)
        return JSONResponse(body.model_dump(), status_code=503)
    snapshot = pipeline.snapshot
    body = Readiness(
        status="ready",
        snapshot_id=snapshot.snapshot_id,
        documents=len(snapshot.documents),
        chunks=len(snapshot),
    )
    return JSONResponse(body.model_dump())
