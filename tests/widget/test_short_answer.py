"""The widget shows the short answer first, in bold, and highlights it inside its quote,
in real Chromium."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.widget.conftest import HostSite, host_page
from tests.widget.test_widget_reading import ANSWER_TIMEOUT, ask


def test_the_short_answer_comes_first_and_is_marked_in_its_quote(
    page: Page, host_site: HostSite, widget_server: LiveServer, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto(host_site.add("/short-answer.html", host_page(widget_server.url)))
    ask(page, "Which IT company was Dr. Gunay Karli representing?")
    short = page.locator(".bot .short-answer").last
    expect(short).to_be_visible(timeout=ANSWER_TIMEOUT)
    expect(short).to_have_text("MERSYS")
    assert short.evaluate("node => Number(getComputedStyle(node).fontWeight)") >= 700
    first = page.locator(".bot").last.evaluate(
        "node => [...node.children].find(child => !child.hidden).className"
    )
    assert first == "short-answer", "the short answer is the reply's first line"
    marks = page.locator(".bot .quote mark.short")
    expect(marks).to_have_count(1)
    expect(marks).to_have_text("MERSYS")
    quote = marks.locator("xpath=..")
    expect(quote).to_contain_text("Chief Scientific Officer at IT-company")
    page.screenshot(path=artifacts / "widget-short-answer.png")


def test_no_short_answer_no_bold_line(
    page: Page, host_site: HostSite, widget_server: LiveServer
) -> None:
    page.goto(host_site.add("/no-short-answer.html", host_page(widget_server.url)))
    ask(page, "What is the best recipe for a lemon cheesecake?")
    expect(page.locator(".bot .answer").last).not_to_be_empty(timeout=ANSWER_TIMEOUT)
    expect(page.locator(".bot .short-answer").last).to_be_hidden()
    expect(page.locator(".bot mark")).to_have_count(0)
