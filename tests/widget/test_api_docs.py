"""/docs and /redoc in Chromium with no network beyond the server: the pages come up from
the files the server holds and list the API's operations (they were blank offline, since
Swagger UI and ReDoc came from a CDN)."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, Route, expect

from tests.conftest import LiveServer

OPERATIONS = ["/v1/ask", "/v1/search", "/v1/chat", "/v1/chat/completions"]


def offline_page(browser: Browser, server: LiveServer, refused: list[str]) -> Page:
    """A page whose every request to another origin fails, as with no network."""
    context = browser.new_context()

    def handle(route: Route) -> None:
        if route.request.url.startswith(server.url + "/"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", handle)
    return context.new_page()


def test_swagger_ui_lists_the_operations_offline(
    browser: Browser, widget_server: LiveServer
) -> None:
    refused: list[str] = []
    page = offline_page(browser, widget_server, refused)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(widget_server.url + "/docs")
    paths = page.locator(".opblock-summary-path")
    expect(paths.first).to_be_visible(timeout=30_000)
    shown = set(paths.all_inner_texts())
    for operation in OPERATIONS:
        assert any(text.replace("\u200b", "") == operation for text in shown), (operation, shown)
    assert refused == []
    assert failed == []
    page.context.close()


def test_redoc_lists_the_operations_offline(browser: Browser, widget_server: LiveServer) -> None:
    refused: list[str] = []
    page = offline_page(browser, widget_server, refused)
    page.goto(widget_server.url + "/redoc")
    expect(page.get_by_text("/v1/chat/completions").first).to_be_attached(timeout=30_000)
    assert refused == []
    page.context.close()
