"""Admin: upload, list, show and delete documents (the index follows in the background)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Security, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.admin import describe, describe_all, get_admin
from api.checks.json_body import CheckedJsonRoute
from api.checks.uploads import LANG_PATTERN, parse_metadata, read_upload, safe_filename
from api.http.errors import ApiError
from api.http.security import require_api_key
from api.schemas.admin import DocumentInfo, DocumentList, DocumentQueued
from api.schemas.questions import ErrorBody
from api.settings import ApiSettings
from api.state import get_pipeline, get_settings
from index.documents.limits import check_document_size
from index.loaders import LoaderError
from index.service import IndexService
from qa.pipeline import QAPipeline

ADMIN_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "No API key was sent."},
    403: {"model": ErrorBody, "description": "Wrong API key, or the admin API is off."},
    503: {"model": ErrorBody, "description": "The index is loading or admin is off."},
}

router = APIRouter(
    route_class=CheckedJsonRoute,
    tags=["documents"],
    dependencies=[Security(require_api_key)],
    responses=ADMIN_ERRORS,
)

Admin = Annotated[IndexService, Depends(get_admin)]
Pipeline = Annotated[QAPipeline, Depends(get_pipeline)]


@router.post(
    "/v1/documents",
    status_code=202,
    response_model=DocumentQueued,
    responses={
        400: {"model": ErrorBody, "description": "The multipart body is malformed."},
        413: {
            "model": ErrorBody,
            "description": "The file is over CITEQA_MAX_UPLOAD_MB, or its text over "
            "CITEQA_MAX_DOCUMENT_CHARS characters.",
        },
        415: {"model": ErrorBody, "description": "Not Markdown, text, HTML or PDF."},
        422: {"model": ErrorBody, "description": "Empty, undecodable or broken file."},
    },
)
async def upload_document(
    admin: Admin,
    settings: Annotated[ApiSettings, Depends(get_settings)],
    file: Annotated[UploadFile, File(description="Markdown, text, HTML or PDF.")],
    title: Annotated[str | None, Form(max_length=500)] = None,
    source: Annotated[str | None, Form(max_length=2000, description="URL or path.")] = None,
    lang: Annotated[str | None, Form(pattern=LANG_PATTERN, description="Such as en.")] = None,
    metadata: Annotated[str | None, Form(description="A JSON object.")] = None,
) -> DocumentQueued:
    """Add a document, or replace the one with the same id (from the file name).

    Checked at once: a bad file gets a 4xx and nothing is stored or queued. The index is
    refreshed in the background; the answer's ticket tells when (GET /v1/index)."""
    limit = int(settings.max_upload_mb * (1 << 20))
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, "payload_too_large", f"the file is over {settings.max_upload_mb:g} MB")
    filename = safe_filename(file.filename)
    fields = parse_metadata(metadata, settings.max_metadata_bytes, settings.max_json_depth)
    document = await run_in_threadpool(
        read_upload,
        data,
        filename,
        title=title,
        source=source,
        lang=lang,
        metadata=fields,
        limits=admin.settings.loader_limits,
    )
    try:
        check_document_size(document, admin.settings.max_document_chars)
    except LoaderError as exc:
        raise ApiError(413, exc.code, exc.message) from exc
    ticket = await run_in_threadpool(admin.upload, document, data, filename)
    return DocumentQueued(doc_id=document.doc_id, ticket=ticket)


@router.get("/v1/documents", response_model=DocumentList)
async def list_documents(
    admin: Admin,
    pipeline: Pipeline,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> DocumentList:
    """Documents in service or uploaded, sorted by id, with their index status."""
    infos = await run_in_threadpool(describe_all, admin, pipeline.snapshot)
    return DocumentList(total=len(infos), documents=infos[offset : offset + limit])


@router.get(
    "/v1/documents/{doc_id}",
    response_model=DocumentInfo,
    responses={404: {"model": ErrorBody, "description": "No such document."}},
)
async def get_document(admin: Admin, pipeline: Pipeline, doc_id: str) -> DocumentInfo:
    info = await run_in_threadpool(describe, admin, pipeline.snapshot, doc_id)
    if info is None:
        raise ApiError(404, "not_found", f"no document {doc_id!r}")
    return info


@router.delete(
    "/v1/documents/{doc_id}",
    status_code=202,
    response_model=DocumentQueued,
    responses={404: {"model": ErrorBody, "description": "No such document."}},
)
async def delete_document(admin: Admin, pipeline: Pipeline, doc_id: str) -> DocumentQueued:
    """Remove a document from answers (a corpus file itself is not touched, but stays out
    of the index until a document with its id is uploaded)."""
    if await run_in_threadpool(admin.document, pipeline.snapshot, doc_id) is None:
        raise ApiError(404, "not_found", f"no document {doc_id!r}")
    ticket = await run_in_threadpool(admin.delete, doc_id)
    return DocumentQueued(doc_id=doc_id, ticket=ticket)
