"""Documents through the admin API while questions are asked: answers follow each change,
no chunk outlives its document, no request fails during a swap, and changes persist."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from index.documents.document_store import DocumentStore
from index.snapshots.repository import SnapshotRepository
from index.snapshots.snapshot import DOC, END, START, Snapshot
from index.types import Document
from qa.models import Models
from qa.pipeline import QAPipeline
from tests.api.admin_support import (
    AUTH,
    CORPUS_ANSWER,
    CORPUS_QUESTION,
    KEY,
    admin_app,
    make_index,
    upload,
    wait_for_refresh,
)
from tests.conftest import LiveServer

CORPUS_DOC = "unesco-ichei-iioe-central-asia.txt"
COLOUR_QUESTION = "What colour was the Glimmerfen lighthouse painted?"
FERRY_QUESTION = "At what time does the Bralmoor ferry leave?"
LIGHTHOUSE = "The Glimmerfen lighthouse was painted {colour} in {year} by Orla Vance."
REST = (
    "The Bralmoor ferry leaves the harbour at a quarter past seven every morning. "
    "The keeper's cottage beside the lighthouse has a red door and a slate roof. "
    "Seals rest on the rocks below the cape from March to June each year. "
    "The lamp of the lighthouse was electrified in 1952 and automated in 1979. "
    "Visitors climb 131 steps to reach the gallery at the top of the tower. "
    "A small museum in the old fog-signal house shows the original lens. "
    "The island school has eleven pupils and one teacher, Mrs Hedda Lorn. "
    "Storm petrels nest in the dry-stone walls of the keeper's garden. "
)


@pytest.fixture
def served(tmp_path: Path, models: Models) -> Iterator[tuple[LiveServer, FastAPI]]:
    app = admin_app(make_index(tmp_path, models), models)
    with LiveServer(app) as server:
        yield server, app


def lighthouse(colour: str, year: int, rest: str = REST) -> str:
    return f"Glimmerfen lighthouse\n{LIGHTHOUSE.format(colour=colour, year=year)} {rest}"


def assert_no_orphans(snapshot: Snapshot) -> None:
    """Every chunk quotes a live document within bounds; counts agree everywhere."""
    manifest = snapshot.manifest
    assert len(snapshot) == len(snapshot.dense) == len(snapshot.keyword)
    assert len(snapshot.vectors["chunks"]) == len(snapshot)
    per_doc: dict[str, int] = {}
    for row in range(len(snapshot)):
        doc_row = int(snapshot.chunks[row, DOC])
        assert 0 <= doc_row < len(snapshot.documents)
        document = snapshot.documents[doc_row]
        start, end = int(snapshot.chunks[row, START]), int(snapshot.chunks[row, END])
        assert 0 <= start < end <= len(document.text)
        assert snapshot.chunk_ids[row].startswith(document.doc_id + "#")
        per_doc[document.doc_id] = per_doc.get(document.doc_id, 0) + 1
    assert per_doc == {doc_id: entry.chunks for doc_id, entry in manifest.documents.items()}
    assert len(set(snapshot.chunk_ids)) == len(snapshot.chunk_ids)


class Askers:
    """Threads asking questions without pause; every response is recorded."""

    def __init__(self, url: str, threads: int = 2) -> None:
        self.url = url
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.count = 0
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def __enter__(self) -> Askers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(60)

    def _run(self, i: int) -> None:
        with httpx.Client(base_url=self.url, timeout=120) as client:
            while not self.stop.is_set():
                try:
                    if i % 2 == 0:
                        response = client.post("/v1/ask", json={"question": CORPUS_QUESTION})
                        ok = response.status_code == 200 and CORPUS_ANSWER in response.text
                    else:
                        response = client.post("/v1/search", json={"query": COLOUR_QUESTION})
                        ok = response.status_code == 200
                except httpx.HTTPError as exc:
                    ok, response = False, None
                    self._fail(f"{type(exc).__name__}: {exc}")
                with self._lock:
                    self.count += 1
                if not ok and response is not None:
                    self._fail(f"{response.status_code}: {response.text[:200]}")

    def _fail(self, message: str) -> None:
        with self._lock:
            self.failures.append(message)


def ask(client: httpx.Client, question: str) -> dict[str, object]:
    response = client.post("/v1/ask", json={"question": question})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def cited_docs(answer: dict[str, object]) -> set[str]:
    citations = answer["citations"]
    assert isinstance(citations, list)
    return {c["doc_id"] for c in citations}


def test_answers_follow_upload_update_shortening_and_deletion(
    served: tuple[LiveServer, FastAPI],
) -> None:
    server, app = served
    with httpx.Client(base_url=server.url, timeout=120) as client, Askers(server.url) as askers:
        # Upload: the new fact is answered; the corpus document is not embedded again.
        response = upload(client, "glimmerfen.txt", lighthouse("teal", 1987), title="Glimmerfen")
        assert response.status_code == 202, response.text
        assert response.json()["doc_id"] == "glimmerfen.txt"
        assert response.json()["status"] == "queued"
        report = wait_for_refresh(client, response.json()["ticket"])["refresh"]["last"]
        snapshot = app.state.pipeline.snapshot
        full_chunks = snapshot.manifest.documents["glimmerfen.txt"].chunks
        assert full_chunks >= 2
        assert report["added"] == ["glimmerfen.txt"]
        assert report["unchanged"] == 1
        assert report["embedded_chunks"] == full_chunks
        assert_no_orphans(snapshot)
        answer = ask(client, COLOUR_QUESTION)
        assert "teal" in str(answer["answer"])
        assert cited_docs(answer) == {"glimmerfen.txt"}
        info = client.get("/v1/documents/glimmerfen.txt", headers=AUTH).json()
        assert info["status"] == "indexed"
        assert info["chunks"] == full_chunks

        # Update: the old fact is gone from answers and from every chunk.
        response = upload(client, "glimmerfen.txt", lighthouse("crimson", 1991))
        report = wait_for_refresh(client, response.json()["ticket"])["refresh"]["last"]
        assert report["updated"] == ["glimmerfen.txt"]
        assert report["unchanged"] == 1
        snapshot = app.state.pipeline.snapshot
        assert report["embedded_chunks"] == snapshot.manifest.documents["glimmerfen.txt"].chunks
        assert_no_orphans(snapshot)
        assert not any("teal" in snapshot.chunk_text(r) for r in range(len(snapshot)))
        answer = ask(client, COLOUR_QUESTION)
        assert "crimson" in str(answer["answer"])
        assert "teal" not in str(answer["answer"])

        # Shorten: the dropped sentences leave no chunk behind.
        response = upload(client, "glimmerfen.txt", lighthouse("crimson", 1991, rest=""))
        wait_for_refresh(client, response.json()["ticket"])
        snapshot = app.state.pipeline.snapshot
        assert snapshot.manifest.documents["glimmerfen.txt"].chunks == 1
        assert_no_orphans(snapshot)
        assert not any("ferry" in snapshot.chunk_text(r) for r in range(len(snapshot)))
        answer = ask(client, FERRY_QUESTION)
        assert "quarter past seven" not in str(answer["answer"])
        results = client.post("/v1/search", json={"query": FERRY_QUESTION}).json()["results"]
        assert not any("ferry" in r["text"] for r in results)

        # Delete: the document disappears from answers, search and the list.
        response = client.delete("/v1/documents/glimmerfen.txt", headers=AUTH)
        assert response.status_code == 202
        report = wait_for_refresh(client, response.json()["ticket"])["refresh"]["last"]
        assert report["removed"] == ["glimmerfen.txt"]
        assert report["embedded_chunks"] == 0
        snapshot = app.state.pipeline.snapshot
        assert snapshot.document("glimmerfen.txt") is None
        assert_no_orphans(snapshot)
        answer = ask(client, COLOUR_QUESTION)
        assert "glimmerfen.txt" not in cited_docs(answer)
        assert "crimson" not in str(answer["answer"])
        results = client.post("/v1/search", json={"query": COLOUR_QUESTION}).json()["results"]
        assert all(r["doc_id"] != "glimmerfen.txt" for r in results)
        assert client.get("/v1/documents/glimmerfen.txt", headers=AUTH).status_code == 404
        assert "Uzbekistan" in str(ask(client, CORPUS_QUESTION)["answer"])
    assert askers.failures == []
    assert askers.count >= 8


def test_list_show_refresh_and_not_found(served: tuple[LiveServer, FastAPI]) -> None:
    server, app = served
    assert app.state.index_settings is not None
    with httpx.Client(base_url=server.url, timeout=120) as client:
        response = upload(
            client,
            "notes.md",
            "# Field notes\n\nThe Velsa river freezes every January.",
            source="https://example.org/notes",
            lang="en",
            metadata='{"team": "hydrology", "year": 2024}',
        )
        assert response.status_code == 202, response.text
        queued = client.get("/v1/documents/notes.md", headers=AUTH).json()
        assert queued["origin"] == "upload"
        wait_for_refresh(client, response.json()["ticket"])
        listing = client.get("/v1/documents", headers=AUTH).json()
        assert listing["total"] == 2
        assert [d["doc_id"] for d in listing["documents"]] == ["notes.md", CORPUS_DOC]
        notes = listing["documents"][0]
        assert notes["title"] == "Field notes"
        assert notes["source"] == "https://example.org/notes"
        assert notes["metadata"] == {"team": "hydrology", "year": 2024}
        assert notes["status"] == "indexed"
        assert notes["file"]["name"] == "notes.md"
        assert listing["documents"][1]["origin"] == "corpus"
        page = client.get("/v1/documents?limit=1&offset=1", headers=AUTH).json()
        assert [d["doc_id"] for d in page["documents"]] == [CORPUS_DOC]
        filtered = client.post(
            "/v1/search", json={"query": "Velsa river", "filters": {"team": "hydrology"}}
        ).json()["results"]
        assert {r["doc_id"] for r in filtered} == {"notes.md"}

        for method in ("GET", "DELETE"):
            missing = client.request(method, "/v1/documents/no-such-doc", headers=AUTH)
            assert missing.status_code == 404
            assert missing.json()["error"]["code"] == "not_found"

        # A file added to the corpus folder comes in with POST /v1/index/refresh.
        corpus_dir = app.state.index_settings.corpus_dir
        (corpus_dir / "bridges.txt").write_text("The Karrow bridge opened in 1802.", "utf-8")
        ticket = client.post("/v1/index/refresh", headers=AUTH).json()["ticket"]
        report = wait_for_refresh(client, ticket)["refresh"]["last"]
        assert report["added"] == ["bridges.txt"]
        assert report["published"] is True
        # Nothing changed: nothing is built or published.
        before = client.get("/v1/index", headers=AUTH).json()["snapshot_id"]
        ticket = client.post("/v1/index/refresh", headers=AUTH).json()["ticket"]
        status = wait_for_refresh(client, ticket)
        assert status["refresh"]["last"]["published"] is False
        assert status["snapshot_id"] == before


def test_changes_persist_across_a_restart_and_pending_ones_are_applied(
    tmp_path: Path, models: Models
) -> None:
    settings = make_index(tmp_path, models)
    with (
        LiveServer(admin_app(settings, models)) as server,
        httpx.Client(base_url=server.url, timeout=120) as client,
    ):
        ticket = upload(client, "velsa.txt", "The Velsa river freezes every January.").json()
        wait_for_refresh(client, ticket["ticket"])
        deleted = client.delete(f"/v1/documents/{CORPUS_DOC}", headers=AUTH)
        wait_for_refresh(client, deleted.json()["ticket"])

    # As if the server had crashed after accepting an upload, before refreshing.
    DocumentStore.for_index(settings.index_dir).put(
        Document("late.txt", "Late", "late.txt", "en", "The Omidel river is 40 km long."),
        b"The Omidel river is 40 km long.",
        "late.txt",
    )
    restarted = admin_app(settings, models)
    with LiveServer(restarted) as server, httpx.Client(base_url=server.url, timeout=120) as client:
        wait_for_refresh(client, 1)
        listing = client.get("/v1/documents", headers=AUTH).json()
        assert [d["doc_id"] for d in listing["documents"]] == ["late.txt", "velsa.txt"]
        assert all(d["status"] == "indexed" for d in listing["documents"])
        assert CORPUS_DOC not in cited_docs(ask(client, CORPUS_QUESTION))
        assert client.get(f"/v1/documents/{CORPUS_DOC}", headers=AUTH).status_code == 404
    served = SnapshotRepository(settings.index_dir).load_current()
    assert sorted(d.doc_id for d in served.documents) == ["late.txt", "velsa.txt"]


def test_without_an_index_directory_admin_is_unavailable(pipeline: QAPipeline) -> None:
    app = create_app(ApiSettings(rate_limit="0", api_keys=[KEY]), pipeline=pipeline)
    with TestClient(app) as client:
        response = client.get("/v1/documents", headers=AUTH)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "admin_unavailable"
