"""CITEQA_CORS_ORIGINS: pages of listed origins may call the API from a browser."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from api.settings import ApiSettings
from qa.pipeline import QAPipeline
from tests.conftest import LiveServer

ALLOWED = "https://docs.example.org"
OTHER = "https://evil.example.net"


@pytest.fixture(scope="module")
def cors_server(pipeline: QAPipeline, monkeypatch_module: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch_module.setenv("CITEQA_CORS_ORIGINS", f"{ALLOWED}, https://other.example.org")
    settings = ApiSettings(rate_limit="0")
    assert settings.cors_origins == [ALLOWED, "https://other.example.org"]
    with LiveServer(create_app(settings, pipeline=pipeline)) as server:
        yield server.url


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def preflight(url: str, origin: str) -> httpx.Response:
    return httpx.options(
        url + "/v1/chat",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )


def test_listed_origin_passes_the_preflight_and_reads_the_stream(cors_server: str) -> None:
    response = preflight(cors_server, ALLOWED)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in response.headers["access-control-allow-methods"]
    with httpx.stream(
        "POST",
        cors_server + "/v1/chat",
        json={"question": "Where was CASIE 2022 held?"},
        headers={"Origin": ALLOWED},
        timeout=60,
    ) as chat:
        assert chat.headers["access-control-allow-origin"] == ALLOWED
        assert "event: done" in chat.read().decode()


def test_other_origin_is_refused(cors_server: str) -> None:
    response = preflight(cors_server, OTHER)
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    answer = httpx.post(
        cors_server + "/v1/ask",
        json={"question": "Where was CASIE 2022 held?"},
        headers={"Origin": OTHER},
        timeout=60,
    )
    assert "access-control-allow-origin" not in answer.headers  # the browser hides it


def test_no_origin_is_allowed_by_default(http: httpx.Client) -> None:
    response = http.options(
        "/v1/chat",
        headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in response.headers
