"""Security headers on HTML and JavaScript responses; a route's own headers win."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.testclient import TestClient

from api.app import create_app
from api.http.security_headers import DOCS_CSP, PAGE_CSP, SecurityHeaders
from api.settings import ApiSettings
from qa.pipeline import QAPipeline

OWN_CSP = "default-src 'self'; script-src 'self' 'sha256-abc'"


def sample_app() -> FastAPI:
    app = FastAPI()

    @app.get("/page", response_class=HTMLResponse)
    def page() -> str:
        return "<!doctype html><title>demo</title>"

    @app.get("/widget.js")
    def widget() -> Response:
        return Response("console.log(1)", media_type="text/javascript")

    @app.get("/own", response_class=HTMLResponse)
    def own() -> HTMLResponse:
        return HTMLResponse("<p>own</p>", headers={"Content-Security-Policy": OWN_CSP})

    @app.get("/data")
    def data() -> dict[str, int]:
        return {"a": 1}

    app.add_middleware(SecurityHeaders, docs_paths=frozenset({"/docs"}))
    return app


def test_html_gets_a_strict_policy() -> None:
    with TestClient(sample_app()) as client:
        headers = client.get("/page").headers
    assert headers["content-security-policy"] == PAGE_CSP
    assert "script-src 'self';" in PAGE_CSP
    assert "frame-ancestors 'none'" in PAGE_CSP
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cross-origin-opener-policy"] == "same-origin"


def test_javascript_stays_embeddable_by_other_origins() -> None:
    with TestClient(sample_app()) as client:
        headers = client.get("/widget.js").headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cross-origin-resource-policy"] == "cross-origin"
    assert headers["referrer-policy"] == "no-referrer"
    assert "content-security-policy" not in headers
    assert "x-frame-options" not in headers


def test_a_route_policy_is_kept_and_json_only_gets_nosniff() -> None:
    with TestClient(sample_app()) as client:
        own = client.get("/own").headers
        data = client.get("/data").headers
    assert own.get_list("content-security-policy") == [OWN_CSP]
    assert own["x-frame-options"] == "DENY"
    assert data["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in data


def test_api_docs_pages_load_swagger_from_this_origin(pipeline: QAPipeline) -> None:
    with TestClient(create_app(ApiSettings(rate_limit="0"), pipeline=pipeline)) as client:
        docs = client.get("/docs")
        redoc = client.get("/redoc")
        schema = client.get("/openapi.json")
    for page in (docs, redoc):
        assert page.status_code == 200
        assert page.headers["content-security-policy"] == DOCS_CSP
        assert "https://" not in page.text  # no CDN: /docs works offline
        assert page.headers["x-frame-options"] == "DENY"
    assert schema.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in schema.headers


def test_demo_page_and_widget_of_the_real_app(pipeline: QAPipeline) -> None:
    """The demo page's own script is an external same-origin file, so the strict page
    policy holds (tests/widget runs the page in Chromium under it)."""
    with TestClient(create_app(ApiSettings(rate_limit="0"), pipeline=pipeline)) as client:
        page = client.get("/")
        widget = client.get("/widget.js")
    assert page.headers["content-security-policy"] == PAGE_CSP
    assert "<script src=" in page.text
    assert widget.headers["content-type"].startswith("text/javascript")
    assert widget.headers["cross-origin-resource-policy"] == "cross-origin"
    assert widget.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in widget.headers
