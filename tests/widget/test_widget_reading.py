"""The widget while an answer comes and after: work under way is shown, the start of the
answer stays in view, and its own words are in the page's language (English, Russian or
Kazakh), in real Chromium."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, Route, expect

from tests.conftest import LiveServer
from tests.widget.conftest import HostSite, host_page

ANSWER_TIMEOUT = 60_000
QUESTION = "Who presented IIOE at the symposium?"
OFF_TOPIC = "What is the best recipe for a lemon cheesecake?"


def ask(
    page: Page, question: str, open_label: str = "Open chat", box_label: str = "Ask a question"
) -> None:
    page.get_by_role("button", name=open_label, exact=True).click()
    box = page.get_by_role("textbox", name=box_label, exact=True)
    box.fill(question)
    box.press("Enter")


def test_work_under_way_is_shown_until_the_answer_comes(
    page: Page, host_site: HostSite, widget_server: LiveServer
) -> None:
    held: list[Route] = []
    page.route(widget_server.url + "/v1/chat", lambda route: held.append(route))
    page.goto(host_site.add("/working.html", host_page(widget_server.url)))
    ask(page, QUESTION)
    status = page.get_by_role("status")
    expect(status).to_have_text("Searching the documents…")
    expect(status.locator(".dots span")).to_have_count(3)
    page.wait_for_timeout(300)
    assert held, "the request is held back, so nothing has answered yet"
    expect(status).to_be_visible()  # still there while nothing has come back
    held[0].continue_()
    expect(page.get_by_role("list", name="Sources", exact=True)).to_be_visible(
        timeout=ANSWER_TIMEOUT
    )
    expect(page.get_by_role("status")).to_have_count(0)


def test_the_start_of_the_answer_stays_in_view(
    browser: Browser, host_site: HostSite, widget_server: LiveServer
) -> None:
    """On a short screen the answer and its sources do not fit: the answer's first line is
    what shows (the widget used to scroll to the end, the last source)."""
    context = browser.new_context(viewport={"width": 1000, "height": 420})
    page = context.new_page()
    try:
        page.goto(host_site.add("/short.html", host_page(widget_server.url)))
        ask(page, "Where does UNESCO-ICHEI plan to establish an IIOE National Center?")
        expect(page.get_by_role("list", name="Sources", exact=True)).to_be_visible(
            timeout=ANSWER_TIMEOUT
        )
        log = page.get_by_role("log")
        answer = page.locator(".bot .answer").last
        expect(answer).to_contain_text("Uzbekistan")
        page.wait_for_timeout(200)
        view, first_line = log.bounding_box(), answer.bounding_box()
        assert view is not None
        assert first_line is not None
        overflowing = log.evaluate("node => node.scrollHeight > node.clientHeight")
        assert overflowing, "the reply must not fit, or this test shows nothing"
        assert view["y"] <= first_line["y"] <= view["y"] + view["height"] - 20
    finally:
        context.close()


def test_data_lang_russian(page: Page, host_site: HostSite, widget_server: LiveServer) -> None:
    page.goto(
        host_site.add(
            "/ru.html", host_page(widget_server.url, lang="en", widget_attributes='data-lang="ru"')
        )
    )
    ask(page, OFF_TOPIC, "Открыть чат", "Задайте вопрос")
    expect(page.get_by_role("button", name="Отправить", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Закрыть чат", exact=True)).to_be_visible()
    expect(page.get_by_role("log")).to_contain_text(
        "В документах об этом ничего не нашлось.", timeout=ANSWER_TIMEOUT
    )
    assert "could not find" not in page.get_by_role("log").inner_text()


def test_the_page_language_kazakh_with_sources(
    page: Page, host_site: HostSite, widget_server: LiveServer
) -> None:
    page.goto(host_site.add("/kk.html", host_page(widget_server.url, lang="kk-KZ")))
    ask(
        page,
        "Where does UNESCO-ICHEI plan to establish an IIOE National Center?",
        "Чатты ашу",
        "Сұрақ қойыңыз",
    )
    expect(page.get_by_role("list", name="Дереккөздер", exact=True)).to_be_visible(
        timeout=ANSWER_TIMEOUT
    )
    expect(page.get_by_role("button", name="Жіберу", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Дереккөз 1:", exact=False).first).to_be_visible()


def test_the_browser_language_when_the_page_has_none(
    browser: Browser, host_site: HostSite, widget_server: LiveServer
) -> None:
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    try:
        page.goto(host_site.add("/no-lang.html", host_page(widget_server.url, lang=None)))
        expect(page.get_by_role("button", name="Открыть чат", exact=True)).to_be_visible()
    finally:
        context.close()


def test_an_unknown_language_falls_back_to_english(
    page: Page, host_site: HostSite, widget_server: LiveServer
) -> None:
    page.goto(host_site.add("/de.html", host_page(widget_server.url, lang="de")))
    expect(page.get_by_role("button", name="Open chat", exact=True)).to_be_visible()
