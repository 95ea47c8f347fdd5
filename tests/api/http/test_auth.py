"""Every admin route refuses a missing key (401) and a wrong key (403), takes a right one
as X-API-Key or Bearer, and is off (403) when no keys are configured."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.http.security import key_matches
from api.settings import ApiSettings
from qa.models import Models
from qa.pipeline import QAPipeline
from tests.api.admin_support import KEY, admin_app, make_index

SECOND_KEY = "second-key-for-rotation"
ADMIN_ROUTES = [
    ("POST", "/v1/documents"),
    ("GET", "/v1/documents"),
    ("GET", "/v1/documents/some-doc"),
    ("DELETE", "/v1/documents/some-doc"),
    ("POST", "/v1/index/refresh"),
    ("GET", "/v1/index"),
]
WRONG = [
    ("wrong X-API-Key", {"X-API-Key": "not-the-key"}),
    ("wrong Bearer", {"Authorization": "Bearer not-the-key"}),
    ("key with a different case", {"X-API-Key": KEY.upper()}),
    ("prefix of the key", {"X-API-Key": KEY[:-1]}),
    ("key with a suffix", {"Authorization": f"Bearer {KEY}x"}),
]
MISSING = [
    ("no header", {}),
    ("empty X-API-Key", {"X-API-Key": ""}),
    ("Basic scheme", {"Authorization": f"Basic {KEY}"}),
    ("Bearer without a token", {"Authorization": "Bearer "}),
]
ROUTE_IDS = [f"{m} {p}" for m, p in ADMIN_ROUTES]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, models: Models) -> FastAPI:
    settings = make_index(tmp_path_factory.mktemp("auth"), models)
    return admin_app(settings, models, api_keys=[KEY, SECOND_KEY])


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def test_admin_route_list_is_complete(app: FastAPI) -> None:
    routes = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith(("/v1/documents", "/v1/index"))
        for method in operations
    }
    expected = {(m, p.replace("some-doc", "{doc_id}")) for m, p in ADMIN_ROUTES}
    assert routes == expected


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize(("case", "headers"), MISSING, ids=[c for c, _ in MISSING])
def test_missing_key_is_401(
    client: TestClient, method: str, path: str, case: str, headers: dict[str, str]
) -> None:
    response = client.request(method, path, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize(("case", "headers"), WRONG, ids=[c for c, _ in WRONG])
def test_wrong_key_is_403(
    client: TestClient, method: str, path: str, case: str, headers: dict[str, str]
) -> None:
    response = client.request(method, path, headers=headers)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize(
    "headers",
    [{"X-API-Key": KEY}, {"Authorization": f"Bearer {KEY}"}, {"X-API-Key": SECOND_KEY}],
    ids=["X-API-Key", "Bearer", "second key"],
)
def test_right_key_is_let_through(
    client: TestClient, method: str, path: str, headers: dict[str, str]
) -> None:
    response = client.request(method, path, headers=headers)
    # Past the key check: 2xx, or the route's own answer (no such doc, no file sent).
    assert response.status_code in {200, 202, 404, 422}, response.text
    if response.status_code == 404:
        assert path.endswith("some-doc")
    if response.status_code == 422:
        assert method == "POST"
        assert path == "/v1/documents"


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES, ids=ROUTE_IDS)
def test_admin_is_off_without_configured_keys(pipeline: QAPipeline, method: str, path: str) -> None:
    app = create_app(ApiSettings(rate_limit="0"), pipeline=pipeline)
    with TestClient(app) as off:
        for headers in ({}, {"X-API-Key": "anything"}, {"Authorization": "Bearer anything"}):
            response = off.request(method, path, headers=headers)
            assert response.status_code == 403
            error = response.json()["error"]
            assert error["code"] == "admin_disabled"
            assert "CITEQA_API_KEYS" in error["message"]


def test_public_routes_need_no_key(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 200
    response = client.post("/v1/search", json={"query": "IIOE National Center"})
    assert response.status_code == 200


def test_openapi_declares_both_schemes_on_admin_routes_only(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "One of the keys in CITEQA_API_KEYS.",
    }
    assert schemes["BearerKey"]["scheme"] == "bearer"
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            admin = path.startswith(("/v1/documents", "/v1/index"))
            expected: list[dict[str, list[str]]] | None = (
                [{"ApiKey": []}, {"BearerKey": []}] if admin else None
            )
            assert operation.get("security") == expected, path


def test_keys_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    compare = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert key_matches("k1", ["k1", "k2", "k3"])
    assert len(calls) == 3  # no early exit on the first match
    assert not key_matches("nope", ["k1", "k2"])
    assert all(isinstance(a, bytes) and isinstance(b, bytes) for a, b in calls)


def test_keys_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CITEQA_API_KEYS", " k1 , k2,,")
    assert ApiSettings().api_keys == ["k1", "k2"]
