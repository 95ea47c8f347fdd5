"""The widget on host pages of another origin, in real Chromium: answers, citations,
keyboard use, a narrow screen, CORS refusal, and the demo page."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, expect

from tests.conftest import LiveServer
from tests.widget.conftest import HostSite, host_page

QUESTION = "Where does UNESCO-ICHEI plan to establish an IIOE National Center?"
ANSWER_TIMEOUT = 60_000


def open_and_ask(page: Page, question: str = QUESTION) -> None:
    page.get_by_role("button", name="Open chat", exact=True).click()
    box = page.get_by_role("textbox", name="Ask a question", exact=True)
    expect(box).to_be_focused()
    box.fill(question)
    box.press("Enter")


def last_sources(page: Page) -> Locator:
    sources = page.get_by_role("list", name="Sources", exact=True).last
    expect(sources).to_be_visible(timeout=ANSWER_TIMEOUT)
    return sources


def test_cross_origin_page_streams_a_cited_answer(
    page: Page, host_site: HostSite, widget_server: LiveServer, artifacts: Path
) -> None:
    url = host_site.add("/basic.html", host_page(widget_server.url))
    page.goto(url)
    launcher = page.get_by_role("button", name="Open chat", exact=True)
    expect(launcher).to_be_visible()
    page.screenshot(path=artifacts / "widget-closed.png")

    with page.expect_response(widget_server.url + "/v1/chat") as chat:
        open_and_ask(page)
    response = chat.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["access-control-allow-origin"] == host_site.origin

    log = page.get_by_role("log")
    expect(log).to_contain_text(QUESTION)
    sources = page.get_by_role("list", name="Sources", exact=True).last
    expect(sources).to_be_visible(timeout=ANSWER_TIMEOUT)
    items = sources.get_by_role("listitem")
    # The answer may hold the sentence before it too ("She also revealed..." needs "Ms. Li
    # Fan"); each sentence is a source of its own.
    cited = items.filter(has_text="Uzbekistan")
    expect(cited).to_have_count(1)
    expect(cited).to_contain_text("UNESCO-ICHEI introduced IIOE to Central Asian countries")
    expect(log).to_contain_text("Uzbekistan")
    expect(log.locator("[aria-busy=true]")).to_have_count(0)
    assert "[1]" not in log.inner_text()  # markers are buttons, not raw text

    marker = page.get_by_role("button", name=re.compile(r"^Source 1\b"))
    expect(marker).to_be_visible()
    marker.click()
    expect(items.first).to_be_focused()
    page.screenshot(path=artifacts / "widget-open-answer.png")


def test_origin_not_allowed_is_refused(
    page: Page, other_site: HostSite, widget_server: LiveServer
) -> None:
    url = other_site.add("/refused.html", host_page(widget_server.url))
    page.goto(url)
    open_and_ask(page)
    expect(page.get_by_role("log")).to_contain_text(
        "cannot be reached from this page", timeout=ANSWER_TIMEOUT
    )
    expect(page.get_by_role("list", name="Sources")).to_have_count(0)


def test_keyboard_tab_enter_escape(
    page: Page, host_site: HostSite, widget_server: LiveServer
) -> None:
    url = host_site.add("/keyboard.html", host_page(widget_server.url))
    page.goto(url)
    launcher = page.get_by_role("button", name="Open chat", exact=True)
    expect(launcher).to_be_visible()
    page.get_by_role("button", name="Host button").focus()
    page.keyboard.press("Tab")
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Enter")
    box = page.get_by_role("textbox", name="Ask a question", exact=True)
    expect(box).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(launcher).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(box).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Close chat", exact=True)).to_be_focused()

    box.focus()
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    last_sources(page)
    page.keyboard.press("Escape")
    expect(box).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_works_at_360_px(
    browser: Browser, host_site: HostSite, widget_server: LiveServer, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(host_site.add("/narrow.html", host_page(widget_server.url)))
        open_and_ask(page)
        last_sources(page)
        dialog = page.get_by_role("dialog")
        for locator in (
            dialog,
            page.get_by_role("textbox", name="Ask a question"),
            page.get_by_role("button", name="Send", exact=True),
        ):
            box = locator.bounding_box()
            assert box is not None
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= 360
            assert box["y"] >= 0
            assert box["y"] + box["height"] <= 740
        page.screenshot(path=artifacts / "widget-360.png")
    finally:
        context.close()


def test_demo_page_shows_the_widget(page: Page, widget_server: LiveServer) -> None:
    page.goto(widget_server.url + "/")
    expect(page.get_by_role("heading", name="Example News")).to_be_visible()
    open_and_ask(page)
    expect(last_sources(page)).to_contain_text("Uzbekistan")


def test_follow_up_in_the_widget_keeps_the_conversation(
    page: Page, host_site: HostSite, widget_server: LiveServer
) -> None:
    page.goto(host_site.add("/follow-up.html", host_page(widget_server.url)))
    open_and_ask(page, "Who presented IIOE at the symposium?")
    expect(page.get_by_role("list", name="Sources")).to_have_count(1, timeout=ANSWER_TIMEOUT)
    # The sources come before the done event (which also carries the short answer); the
    # widget takes no question until the reply is done, as a user sees by the Send button.
    expect(page.locator('.bot[aria-busy="false"]')).to_have_count(1, timeout=ANSWER_TIMEOUT)
    box = page.get_by_role("textbox", name="Ask a question", exact=True)
    box.fill("What position does she hold?")
    with page.expect_request(widget_server.url + "/v1/chat") as sent:
        box.press("Enter")
    body = sent.value.post_data_json
    assert body is not None
    assert body["conversation_id"]
    expect(page.get_by_role("list", name="Sources")).to_have_count(2, timeout=ANSWER_TIMEOUT)
    expect(page.get_by_role("list", name="Sources").last).to_contain_text(
        re.compile("Li Fan", re.IGNORECASE)
    )
