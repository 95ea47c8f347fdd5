"""Hostile host pages: CSS that tries to break the widget, and script payloads in a
question and in an indexed document, which must never run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from api.app import create_app
from api.settings import ApiSettings
from index.types import Document
from qa.factory import build_pipeline
from qa.models import Models
from tests.conftest import LiveServer, make_test_builder
from tests.widget.conftest import HostSite, host_page
from tests.widget.test_widget import ANSWER_TIMEOUT, last_sources, open_and_ask

HOSTILE_CSS = """
* { all: unset; }
button { display: none !important; }
html { font-size: 48px; }
body { font-size: 64px; line-height: 4; font-family: "Comic Sans MS", cursive; color: red; }
div, section, p, ol, li, input { display: none; visibility: hidden; }
"""
STYLES_TO_COMPARE = ("font-size", "font-family", "color", "display", "line-height", "margin")


def computed_styles(page: Page) -> Any:
    return page.evaluate(
        """(names) => ['body', '#host-text', '#host-button', 'h1'].map((selector) => {
            const style = getComputedStyle(document.querySelector(selector));
            return names.map((name) => style.getPropertyValue(name));
        })""",
        list(STYLES_TO_COMPARE),
    )


def test_hostile_css_leaves_a_usable_widget(
    page: Page, host_site: HostSite, widget_server: LiveServer, artifacts: Path
) -> None:
    page.goto(host_site.add("/hostile.html", host_page(widget_server.url, css=HOSTILE_CSS)))
    launcher = page.get_by_role("button", name="Open chat", exact=True)
    expect(launcher).to_be_visible()
    box = launcher.bounding_box()
    assert box is not None
    assert (box["width"], box["height"]) == (56, 56)
    open_and_ask(page)
    expect(last_sources(page)).to_contain_text("Uzbekistan")
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_visible()
    font = page.get_by_role("textbox", name="Ask a question").evaluate(
        "(node) => getComputedStyle(node).fontSize"
    )
    assert font == "14px"
    page.screenshot(path=artifacts / "widget-hostile-css.png")


def test_widget_styles_do_not_leak_into_the_page(
    page: Page, host_site: HostSite, widget_server: LiveServer
) -> None:
    page.goto(host_site.add("/no-widget.html", host_page(None)))
    before = computed_styles(page)
    sheets = page.evaluate("document.styleSheets.length")
    page.goto(host_site.add("/with-widget.html", host_page(widget_server.url)))
    page.get_by_role("button", name="Open chat", exact=True).click()
    expect(page.get_by_role("textbox", name="Ask a question")).to_be_visible()
    assert computed_styles(page) == before
    assert page.evaluate("document.styleSheets.length") == sheets
    assert page.evaluate("document.adoptedStyleSheets.length") == 0


# --- script payloads -----------------------------------------------------------------

FLAG = "__citeqaPwned"
PAYLOAD = (
    f'<img src=x onerror="window.{FLAG}=1"> <script>window.{FLAG}=2</script> '
    f'<svg onload="window.{FLAG}=3"></svg> <a href="javascript:window.{FLAG}=4">x</a>'
)
HOSTILE_DOCUMENTS = [
    Document(
        doc_id="nightingale.txt",
        title=f"Project Nightingale {PAYLOAD}",
        source=f"javascript:window.{FLAG}=5",
        lang="en",
        text=(
            "Project Nightingale is a research programme on coastal birds.\n"
            f"The launch code of Project Nightingale is {PAYLOAD} and nothing else.\n"
            "The programme started in the spring of 2021 with twelve volunteers.\n"
        ),
    ),
    Document(
        doc_id="harbour.txt",
        title="Harbour lights",
        source="https://example.org/harbour",
        lang="en",
        text=(
            "The harbour lights of Port Avel are switched on at dusk.\n"
            "Each light is inspected every March by the harbour master.\n"
        ),
    ),
]


@pytest.fixture(scope="module")
def hostile_server(
    tmp_path_factory: pytest.TempPathFactory, models: Models, host_site: HostSite
) -> Iterator[LiveServer]:
    builder = make_test_builder(tmp_path_factory.mktemp("hostile-index"), models)
    snapshot, _ = builder.build(HOSTILE_DOCUMENTS)
    pipeline = build_pipeline(snapshot, models=models)
    settings = ApiSettings(rate_limit="0", cors_origins=[host_site.origin])
    with LiveServer(create_app(settings, pipeline=pipeline)) as server:
        yield server


def test_payloads_in_question_and_document_never_run(
    page: Page, host_site: HostSite, hostile_server: LiveServer
) -> None:
    page.goto(host_site.add("/payloads.html", host_page(hostile_server.url)))
    open_and_ask(page, f"{PAYLOAD} What is the launch code of Project Nightingale?")
    log = page.get_by_role("log")
    items = last_sources(page).get_by_role("listitem")
    expect(items.first).to_contain_text(f"<script>window.{FLAG}=2</script>")
    expect(items.first).to_contain_text("Project Nightingale <img src=x onerror=")
    expect(log).to_contain_text(f'onerror="window.{FLAG}=1"')
    page.wait_for_timeout(500)
    assert page.evaluate(f"typeof window.{FLAG}") == "undefined"
    shadow_elements = page.evaluate(
        """() => Array.from(document.querySelector('citeqa-chat').shadowRoot
            .querySelectorAll('img, script, svg:not([aria-hidden]), iframe, [onerror], [onload]'))
            .length"""
    )
    assert shadow_elements == 0
    assert items.first.locator("a").count() == 0  # a javascript: source is not a link


def test_http_sources_are_links_that_open_safely(
    page: Page, host_site: HostSite, hostile_server: LiveServer
) -> None:
    page.goto(host_site.add("/links.html", host_page(hostile_server.url)))
    open_and_ask(page, "When are the harbour lights of Port Avel switched on?")
    # Each cited sentence is a source; two may come from the same document.
    link = last_sources(page).get_by_role("link", name="Harbour lights").first
    expect(link).to_have_attribute("href", "https://example.org/harbour", timeout=ANSWER_TIMEOUT)
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
