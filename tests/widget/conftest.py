"""Real headless Chromium (Playwright) against the app on loopback, with host pages
served from other loopback ports, that is from other origins."""

from __future__ import annotations

import html
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from api.app import create_app
from api.settings import ApiSettings
from qa.pipeline import QAPipeline
from tests.conftest import REPO, LiveServer, free_port
from tests.docs.examples import example

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts"
# The README's tag ("readme-widget"), as a user pastes it, with the test server's address.
DOCUMENTED_HOST = "https://YOUR-CITEQA-HOST"


def widget_tag(api_url: str, widget_attributes: str = "") -> str:
    """The README's tag pointing at `api_url`, with `widget_attributes` added to it."""
    tag = example("readme-widget").text.strip()
    assert DOCUMENTED_HOST in tag
    tag = tag.replace(DOCUMENTED_HOST, html.escape(api_url))
    if widget_attributes:
        assert tag.endswith(" async></script>")
        tag = tag.removesuffix(" async></script>") + f" {widget_attributes} async></script>"
    return tag


def host_page(
    api_url: str | None,
    css: str = "",
    body: str = "",
    lang: str | None = "en",
    widget_attributes: str = "",
) -> str:
    """A plain host page (`lang` None: no lang attribute); with `api_url`, it embeds the
    widget served from there, with `widget_attributes` added to its tag."""
    tag = widget_tag(api_url, widget_attributes) if api_url else ""
    lang_attribute = f' lang="{lang}"' if lang is not None else ""
    return f"""<!doctype html>
<html{lang_attribute}><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Host page</title><style>{css}</style></head>
<body><h1>Host page</h1><p id="host-text">Some content of the host.</p>
<button id="host-button" type="button">Host button</button>{body}{tag}</body></html>"""


class HostSite:
    """Static pages on their own loopback port: an origin other than the API's."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = pages.get(self.path.split("?", 1)[0])
                data = (page or "not found").encode()
                self.send_response(200 if page is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def add(self, path: str, page: str) -> str:
        self.pages[path] = page
        return self.origin + path

    def __enter__(self) -> HostSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Chromium for the widget's tests. Playwright's sync API keeps an event loop running in
    this thread while it is open, so it closes with this package: a later test's
    `asyncio.run` (the load and soak benchmarks) would fail inside it."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def host_site() -> Iterator[HostSite]:
    """The origin allowed by CITEQA_CORS_ORIGINS."""
    with HostSite() as site:
        yield site


@pytest.fixture(scope="session")
def other_site() -> Iterator[HostSite]:
    """An origin that is not allowed."""
    with HostSite() as site:
        yield site


@pytest.fixture(scope="session")
def widget_server(pipeline: QAPipeline, host_site: HostSite) -> Iterator[LiveServer]:
    """The app over the default corpus; only `host_site` may call it cross-origin."""
    settings = ApiSettings(rate_limit="0", cors_origins=[host_site.origin])
    with LiveServer(create_app(settings, pipeline=pipeline)) as server:
        yield server


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
