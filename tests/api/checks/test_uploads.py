"""Hostile uploads get a clear 4xx before anything is stored or queued; good ones in other
formats and encodings are indexed; earlier documents keep answering throughout."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from api.checks.uploads import safe_filename
from index.documents.document_store import DocumentStore
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

PDF_QUESTION = "How many maps does the Ostrava map archive hold?"
RUSSIAN = (
    "Международный институт онлайн-образования провёл семинар в Ташкенте. "
    "Участники обсудили цифровые навыки учителей и планы открытия национального центра. "
) * 3
TEXT = "The Haskeep tide mill ground oats until 1931."
UPLOAD_MB = 0.1


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with `lines` in Helvetica, written by hand (offsets and all)."""
    content = b" ".join(b"(" + line.encode("latin-1") + b") Tj T*" for line in lines)
    stream = b"BT /F1 12 Tf 72 720 Td 16 TL " + content + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


MAPS_PDF = minimal_pdf(
    ["The Ostrava map archive holds 4,200 maps.", "Its oldest map was drawn in 1598."]
)


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, models: Models
) -> Iterator[tuple[LiveServer, FastAPI, Path]]:
    """A server with a small upload bound, after good uploads in several formats."""
    root = tmp_path_factory.mktemp("uploads")
    app = admin_app(make_index(root, models), models, max_upload_mb=UPLOAD_MB)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=120) as client:
        tickets = [
            upload(client, "maps.pdf", MAPS_PDF).json()["ticket"],
            upload(client, "seminar.txt", RUSSIAN.encode("cp1251")).json()["ticket"],
            upload(client, "../../etc/passwd.txt", TEXT).json()["ticket"],
        ]
        wait_for_refresh(client, max(tickets))
        yield server, app, root


@pytest.fixture
def client(served: tuple[LiveServer, FastAPI, Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served[0].url, timeout=120) as http:
        yield http


def test_pdf_legacy_encoding_and_path_like_names_are_indexed(
    served: tuple[LiveServer, FastAPI, Path], client: httpx.Client
) -> None:
    _, app, root = served
    snapshot = app.state.pipeline.snapshot
    assert snapshot.document("maps.pdf").text.startswith("The Ostrava map archive")
    seminar = snapshot.document("seminar.txt")
    assert seminar.lang == "ru"
    assert seminar.text.startswith("Международный институт онлайн-образования")
    answer = client.post("/v1/ask", json={"question": PDF_QUESTION}).json()
    assert "4,200" in answer["answer"]
    assert {c["doc_id"] for c in answer["citations"]} == {"maps.pdf"}
    # "../../etc/passwd.txt" became the base name "passwd.txt", stored inside the index.
    info = client.get("/v1/documents/passwd.txt", headers=AUTH).json()
    assert info["file"]["name"] == "passwd.txt"
    assert info["status"] == "indexed"
    assert (root / "index" / "documents" / "passwd.txt").is_dir()
    assert not (root / "etc").exists()
    assert not (root / "index" / "etc").exists()


def _junk(seed: int, size: int = 4096) -> bytes:
    return random.Random(seed).randbytes(size)


def _high_bytes(seed: int, size: int = 4096) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(128, 256) for _ in range(size))


HOSTILE: list[tuple[str, str, bytes, dict[str, str], set[int]]] = [
    ("empty file", "empty.txt", b"", {}, {422}),
    ("only whitespace", "blank.md", b" \n\t\r\n ", {}, {422}),
    ("zero-byte PDF", "empty.pdf", b"", {}, {422}),
    ("broken PDF", "broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog", {}, {422}),
    ("truncated PDF", "cut.pdf", MAPS_PDF[: len(MAPS_PDF) // 2], {}, {422}),
    ("PDF signature, junk body", "junk.pdf", b"%PDF-1.4\n" + _junk(1), {}, {422}),
    ("named .pdf, not a PDF", "fake.pdf", b"plain words, not a PDF", {}, {415}),
    ("binary junk named .txt", "junk.txt", _junk(2), {}, {415}),
    ("PNG named .md", "image.md", b"\x89PNG\r\n\x1a\n" + _junk(3, 512), {}, {415}),
    ("random bytes, not UTF-8", "latin.txt", _high_bytes(4), {}, {415, 422}),
    ("short non-UTF-8 text", "short.txt", "Привет мир".encode("cp1251"), {}, {422}),
    ("unsupported type", "tool.exe", b"MZ" + _junk(5, 200), {}, {415}),
    ("no suffix after path", "../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n", {}, {415}),
    ("Windows path", "..\\..\\windows\\win.ini", b"[fonts]\n", {}, {415}),
    ("over the size bound", "big.txt", b"word " * 30_000, {}, {413}),
    ("far over the size bound", "huge.txt", b"word " * 400_000, {}, {413}),
    ("metadata not JSON", "m.txt", TEXT.encode(), {"metadata": "{not json"}, {422}),
    ("metadata a list", "m.txt", TEXT.encode(), {"metadata": "[1, 2]"}, {422}),
    ("bad language tag", "m.txt", TEXT.encode(), {"lang": "english!!"}, {422}),
    ("bad language in metadata", "m.txt", TEXT.encode(), {"metadata": '{"lang": "1"}'}, {422}),
    ("title too long", "m.txt", TEXT.encode(), {"title": "t" * 501}, {422}),
]


@pytest.mark.parametrize(
    ("case", "name", "data", "fields", "statuses"), HOSTILE, ids=[c[0] for c in HOSTILE]
)
def test_hostile_upload_is_refused_before_anything_is_queued(
    served: tuple[LiveServer, FastAPI, Path],
    client: httpx.Client,
    case: str,
    name: str,
    data: bytes,
    fields: dict[str, str],
    statuses: set[int],
) -> None:
    _, app, root = served
    store = DocumentStore.for_index(root / "index")
    records_before = store.records()
    requested_before = app.state.admin.refresher.status().requested
    response = upload(client, name, data, fields=fields)
    assert response.status_code in statuses, response.text
    error = response.json()["error"]
    assert error["code"]
    assert error["message"]
    assert app.state.admin.refresher.status().requested == requested_before
    assert store.records() == records_before
    assert_earlier_documents_answer(client)


@pytest.mark.parametrize(
    ("case", "request_kwargs"),
    [
        ("no file field", {"data": {"title": "x"}, "files": {"other": ("a.txt", b"text")}}),
        ("JSON instead of a form", {"json": {"file": "text"}}),
        ("file sent as a plain field", {"data": {"file": "just text"}}),
    ],
)
def test_malformed_forms_are_422(
    client: httpx.Client, case: str, request_kwargs: dict[str, object]
) -> None:
    response = client.post("/v1/documents", headers=AUTH, **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"


def assert_earlier_documents_answer(client: httpx.Client) -> None:
    corpus = client.post("/v1/ask", json={"question": CORPUS_QUESTION}).json()
    assert CORPUS_ANSWER in corpus["answer"]
    maps = client.post("/v1/ask", json={"question": PDF_QUESTION}).json()
    assert "4,200" in maps["answer"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("/abs/path/report.pdf", "report.pdf"),
        ("...hidden.md", "hidden.md"),
        ("nul\x00byte.txt", "nulbyte.txt"),
        ('we<ird>:"na|me?*.md', "weirdname.md"),
        ("", "upload"),
        (None, "upload"),
        ("../..", "upload"),
        ("a" * 300 + ".txt", "a" * 196 + ".txt"),
    ],
)
def test_safe_filename(given: str | None, expected: str) -> None:
    assert safe_filename(given) == expected


def test_metadata_round_trips_as_json(client: httpx.Client) -> None:
    metadata = {"tags": ["a", "b"], "nested": {"x": 1}, "ok": True}
    response = upload(client, "meta.txt", TEXT, metadata=json.dumps(metadata))
    assert response.status_code == 202
    info = client.get("/v1/documents/meta.txt", headers=AUTH).json()
    assert info["metadata"] == metadata


def test_a_text_over_the_document_limit_is_refused_with_413(
    served: tuple[LiveServer, FastAPI, Path],
    client: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, app, _ = served
    monkeypatch.setattr(app.state.admin.settings, "max_document_chars", 2_000)
    response = upload(client, "long-report.txt", "The archive holds maps. " * 125)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "document_too_large"
    assert "3,000 characters" in error["message"]
    assert "CITEQA_MAX_DOCUMENT_CHARS" in error["message"]
    assert client.get("/v1/documents/long-report.txt", headers=AUTH).status_code == 404


def test_files_named_in_cyrillic_keep_their_own_ids(client: httpx.Client) -> None:
    """Two uploads named in Russian and Kazakh are two documents (their ids once both
    came out as "txt", so the second replaced the first)."""
    names = {"Отчёт.txt": "отчёт.txt", "Есеп.txt": "есеп.txt"}
    tickets = []
    for name, doc_id in names.items():
        response = upload(client, name, f"{name} holds {len(name)} letters in its name.")
        assert response.status_code == 202, response.text
        assert response.json()["doc_id"] == doc_id
        tickets.append(response.json()["ticket"])
    wait_for_refresh(client, max(tickets))
    for name, doc_id in names.items():
        info = client.get(f"/v1/documents/{quote(doc_id)}", headers=AUTH).json()
        assert info["status"] == "indexed"
        assert info["file"]["name"] == name
