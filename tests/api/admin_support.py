"""A server with the document admin on: a fresh index of a copy of corpus/, API keys on."""

from __future__ import annotations

import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from api.app import create_app
from api.settings import ApiSettings
from index.documents.document_store import DocumentStore
from index.documents.sources import collect_documents
from index.settings import IndexSettings
from index.snapshots.snapshot import Snapshot
from qa.factory import build_pipeline
from qa.models import Models
from tests.conftest import CORPUS, make_test_builder

KEY = "test-admin-key-0123456789"
AUTH = {"X-API-Key": KEY}
CORPUS_QUESTION = "Where does UNESCO-ICHEI plan to establish an IIOE National Center?"
CORPUS_ANSWER = "Uzbekistan"


def make_index(root: Path, models: Models) -> IndexSettings:
    """A corpus folder (a copy of corpus/) and its freshly built index under `root`."""
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = IndexSettings(corpus_dir=corpus, index_dir=root / "index")
    documents, _ = collect_documents(settings, DocumentStore.for_index(settings.index_dir))
    make_test_builder(settings.index_dir, models).build(documents)
    return settings


def admin_app(
    settings: IndexSettings, models: Models, *, snapshot: Snapshot | None = None, **api: Any
) -> FastAPI:
    """The app over `settings`' index, with KEY accepted and no rate limit by default."""
    from index.snapshots.repository import SnapshotRepository

    snapshot = snapshot or SnapshotRepository(settings.index_dir).load_current()
    api_settings = ApiSettings(**{"rate_limit": "0", "api_keys": [KEY], **api})
    return create_app(
        api_settings, pipeline=build_pipeline(snapshot, models=models), index_settings=settings
    )


def wait_for_refresh(client: httpx.Client, ticket: int, timeout: float = 180) -> dict[str, Any]:
    """GET /v1/index until the refresh of `ticket` is done; its body."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get("/v1/index", headers=AUTH)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["refresh"]["completed"] >= ticket:
            assert body["refresh"]["last_error"] is None, body["refresh"]["last_error"]
            return body
        time.sleep(0.1)
    raise AssertionError(f"refresh {ticket} did not finish in {timeout} s")


def upload(
    client: httpx.Client,
    name: str,
    content: bytes | str,
    *,
    headers: Mapping[str, str] | None = None,
    fields: Mapping[str, str] | None = None,
    **more_fields: str,
) -> httpx.Response:
    """POST /v1/documents with the file `name` and the form `fields`."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(
        "/v1/documents",
        files={"file": (name, data, "application/octet-stream")},
        data={**(fields or {}), **more_fields},
        headers=AUTH if headers is None else headers,
    )
