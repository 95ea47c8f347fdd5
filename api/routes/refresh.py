"""Admin: the state of the index, and a refresh on demand (after corpus folder changes)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Security

from api.admin import get_admin
from api.checks.json_body import CheckedJsonRoute
from api.http.security import require_api_key
from api.routes.documents import ADMIN_ERRORS
from api.schemas.admin import (
    BuildProgressInfo,
    IndexStatus,
    RefreshInfo,
    RefreshQueued,
    RefreshReport,
    SkippedFile,
)
from api.state import get_pipeline
from index.building.refresh import RefreshOutcome, RefreshStatus
from index.service import IndexService
from qa.pipeline import QAPipeline

router = APIRouter(
    route_class=CheckedJsonRoute,
    tags=["documents"],
    dependencies=[Security(require_api_key)],
    responses=ADMIN_ERRORS,
)


@router.post("/v1/index/refresh", status_code=202, response_model=RefreshQueued)
async def refresh_index(admin: Annotated[IndexService, Depends(get_admin)]) -> RefreshQueued:
    """Re-read the corpus folder and uploads and rebuild what changed, in the background.
    Requests made while a refresh runs are coalesced into one more refresh."""
    return RefreshQueued(ticket=admin.refresh())


@router.get("/v1/index", response_model=IndexStatus)
async def index_status(
    admin: Annotated[IndexService, Depends(get_admin)],
    pipeline: Annotated[QAPipeline, Depends(get_pipeline)],
) -> IndexStatus:
    """The snapshot in service and the background refresher's state."""
    manifest = pipeline.snapshot.manifest
    return IndexStatus(
        snapshot_id=manifest.snapshot_id,
        created_at=manifest.created_at,
        documents=len(pipeline.snapshot.documents),
        chunks=len(pipeline.snapshot),
        embedding_model=manifest.embedding.model_id,
        multilingual_model=manifest.multilingual.model_id if manifest.multilingual else None,
        refresh=_refresh_info(admin.status()),
    )


def _refresh_info(status: RefreshStatus) -> RefreshInfo:
    return RefreshInfo(
        state=status.state,
        requested=status.requested,
        completed=status.completed,
        succeeded=status.succeeded,
        failed=status.failed,
        last=_report(status.last) if status.last else None,
        last_error=status.last_error,
        progress=BuildProgressInfo(**asdict(status.progress)) if status.progress else None,
        interrupted=status.interrupted,
    )


def _report(outcome: RefreshOutcome) -> RefreshReport:
    report = outcome.report
    return RefreshReport(
        snapshot_id=report.snapshot_id,
        published=outcome.published,
        added=report.added,
        updated=report.updated,
        removed=report.removed,
        unchanged=report.unchanged,
        chunks=report.chunks,
        embedded_chunks=report.embedded_chunks,
        full_rebuild_reason=report.full_rebuild_reason,
        seconds=round(report.seconds, 3),
        skipped_files=[SkippedFile(file=f, reason=r) for f, r in outcome.skipped],
        finished_at=outcome.finished_at,
    )
