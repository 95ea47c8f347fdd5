"""Hostile documents on a live server: an alias bomb, deep nesting or an element flood is a
clear 422 at upload time; the same files in the corpus folder (and a link out of it) are
skipped with their reason while refreshes and later uploads go on."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from index.documents.document_store import DocumentStore
from index.loaders.limits import LoaderLimits
from qa.models import Models
from tests.api.admin_support import (
    AUTH,
    CORPUS_ANSWER,
    CORPUS_QUESTION,
    admin_app,
    make_index,
    upload,
    wait_for_refresh,
)
from tests.conftest import LiveServer
from tests.index.loaders.test_hostile_documents import alias_bomb, deep_html, deep_yaml

VELSA = "The Velsa river is 42 kilometres long and freezes every January."
HTML_ELEMENTS = 1_000
BAD_CORPUS_FILES = {
    "bomb.md": alias_bomb(7),
    "deep.html": deep_html(600),
    "deep.md": deep_yaml(3_000),
    "flood.html": "<html><body>" + "<b>x</b>" * (HTML_ELEMENTS + 1) + "</body></html>",
}


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, models: Models
) -> Iterator[tuple[LiveServer, FastAPI, Path]]:
    """A server whose corpus folder gained bad files (and a link out) after indexing."""
    root = tmp_path_factory.mktemp("hostile-documents")
    settings = make_index(root, models)
    settings.loader_limits = LoaderLimits(max_html_elements=HTML_ELEMENTS)
    for name, text in BAD_CORPUS_FILES.items():
        (settings.corpus_dir / name).write_text(text, "utf-8")
    (root / "secret.txt").write_text("The vault code is 0451.", "utf-8")
    os.symlink(root / "secret.txt", settings.corpus_dir / "secret.txt")
    app = admin_app(settings, models)
    with LiveServer(app) as server:
        yield server, app, root


@pytest.fixture
def client(served: tuple[LiveServer, FastAPI, Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served[0].url, timeout=120) as http:
        yield http


def test_bad_corpus_files_are_skipped_and_uploads_proceed(client: httpx.Client) -> None:
    ticket = upload(client, "velsa.txt", f"Velsa\n{VELSA}").json()["ticket"]
    status = wait_for_refresh(client, ticket)  # fails on the refresh's last_error
    skipped = {row["file"]: row["reason"] for row in status["refresh"]["last"]["skipped_files"]}
    assert set(skipped) == {*BAD_CORPUS_FILES, "secret.txt"}
    assert "aliases" in skipped["bomb.md"]
    assert "deeper than 256" in skipped["deep.html"]
    assert "deeper than 32" in skipped["deep.md"]
    assert "1,000 elements" in skipped["flood.html"]
    assert "outside the corpus folder" in skipped["secret.txt"]
    answer = client.post("/v1/ask", json={"question": "How long is the Velsa river?"}).json()
    assert "42 kilometres" in answer["answer"]
    assert "0451" not in json.dumps(client.post("/v1/search", json={"query": "vault"}).json())
    again = upload(client, "velsa-2.txt", f"Velsa again\n{VELSA}").json()["ticket"]
    assert wait_for_refresh(client, again)["refresh"]["completed"] >= again


HOSTILE: list[tuple[str, str, str, dict[str, str], str]] = [
    ("YAML alias bomb", "bomb.md", alias_bomb(7), {}, "front_matter_too_large"),
    ("deep front matter", "deep.md", deep_yaml(3_000), {}, "too_deep"),
    ("deep HTML", "deep.html", deep_html(600), {}, "too_deep"),
    ("HTML element flood", "flood.html", BAD_CORPUS_FILES["flood.html"], {}, "too_many_elements"),
    ("self-referring alias", "loop.md", f"---\nx: &a [*a]\n---\n{VELSA}", {}, "bad_metadata"),
    ("unbuildable date", "date.md", f"---\nx: 2020-13-45\n---\n{VELSA}", {}, "bad_metadata"),
    (
        "deeply nested metadata",
        "meta.txt",
        VELSA,
        {"metadata": '{"a": ' * 2_000 + "1" + "}" * 2_000},
        "invalid_metadata",
    ),
    ("metadata past the depth bound", "meta.txt", VELSA, {"metadata": "[" * 40 + "]" * 40}, ""),
    ("surrogate in metadata", "meta.txt", VELSA, {"metadata": '{"t": "\\ud800"}'}, ""),
]


@pytest.mark.parametrize(
    ("case", "name", "text", "fields", "code"), HOSTILE, ids=[c[0] for c in HOSTILE]
)
def test_hostile_document_upload_is_422_and_nothing_is_queued(
    served: tuple[LiveServer, FastAPI, Path],
    client: httpx.Client,
    case: str,
    name: str,
    text: str,
    fields: dict[str, str],
    code: str,
) -> None:
    _, app, root = served
    store = DocumentStore.for_index(root / "index")
    records_before = store.records()
    requested_before = app.state.admin.refresher.status().requested
    response = upload(client, name, text, fields=fields)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == (code or "invalid_metadata")
    assert app.state.admin.refresher.status().requested == requested_before
    assert store.records() == records_before
    corpus = client.post("/v1/ask", json={"question": CORPUS_QUESTION}).json()
    assert CORPUS_ANSWER in corpus["answer"]


def test_lone_surrogates_in_front_matter_are_stored_repaired(client: httpx.Client) -> None:
    text = f'---\ntitle: "Velsa \\ud800 notes"\ntags: ["\\udfff"]\n---\n{VELSA}\n'
    response = upload(client, "repaired.md", text)
    assert response.status_code == 202, response.text
    info = client.get("/v1/documents/repaired.md", headers=AUTH)
    assert info.status_code == 200
    assert info.json()["title"] == "Velsa \ufffd notes"
    assert info.json()["metadata"]["tags"] == ["\ufffd"]
    assert client.get("/v1/documents", headers=AUTH).status_code == 200
