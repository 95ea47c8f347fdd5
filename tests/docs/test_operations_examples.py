"""docs/operations.md's document walk-through, run with curl against a server with the admin
on: upload, the index state, list, show, delete and refresh, then the metrics it lists."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qa.models import Models
from tests.api.admin_support import KEY, admin_app, make_index, wait_for_refresh
from tests.conftest import REPO, LiveServer
from tests.docs.examples import (
    json_values,
    output_of,
    run_request_example,
    shape_problems,
)

NOTES = "# Field notes\n\nThe Velsa river froze on 3 January 2024, two weeks early.\n"


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory: pytest.TempPathFactory, models: Models) -> Iterator[str]:
    settings = make_index(tmp_path_factory.mktemp("admin"), models)
    with LiveServer(admin_app(settings, models)) as server:
        yield server.url


def run(example_id: str, url: str, cwd: Path) -> str:
    return run_request_example(example_id, url, env={"KEY": KEY}, cwd=cwd)


def run_and_compare(example_id: str, url: str, cwd: Path) -> dict[str, object]:
    body: dict[str, object] = json.loads(run(example_id, url, cwd))
    shown = output_of(example_id)
    assert shown is not None
    assert shape_problems(shown.json(), body) == []
    return body


def test_document_walk_through(admin_server: str, tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text(NOTES, encoding="utf-8")
    with httpx.Client(base_url=admin_server, timeout=60) as client:
        uploaded = run_and_compare("ops-upload", admin_server, tmp_path)
        assert uploaded["doc_id"] == "notes.md"
        wait_for_refresh(client, int(str(uploaded["ticket"])))
        state = run_and_compare("ops-index", admin_server, tmp_path)
        assert state["documents"] == 2
        listing, shown = json_values(run("ops-documents", admin_server, tmp_path))
        assert "notes.md" in {d["doc_id"] for d in listing["documents"]}
        assert shown["doc_id"] == "notes.md"
        deleted = run_and_compare("ops-delete", admin_server, tmp_path)
        refresh = run_and_compare("ops-refresh", admin_server, tmp_path)
        assert int(str(refresh["ticket"])) > int(str(deleted["ticket"]))
        wait_for_refresh(client, int(str(refresh["ticket"])))


def test_every_metric_listed_is_exported(admin_server: str) -> None:
    page = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`(citeqa_[a-z_]+)", page))
    with httpx.Client(base_url=admin_server, timeout=60) as client:
        client.post("/v1/ask", json={"question": "Who presented IIOE?"})
        exported = client.get("/metrics").text
    names = set(re.findall(r"^(?:# (?:TYPE|HELP) )?(citeqa_[a-z_]+)", exported, re.M))
    assert listed
    assert listed <= names, listed - names
