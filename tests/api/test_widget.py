"""GET /widget.js and GET / (the demo page): what a host page and a browser receive."""

from __future__ import annotations

import re

import httpx

from tests.conftest import REPO
from tests.docs.examples import example

WIDGET = REPO / "api" / "static" / "widget.js"


def test_widget_script_is_served_as_javascript(http: httpx.Client) -> None:
    response = http.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert response.text == WIDGET.read_text(encoding="utf-8")


def test_widget_is_small_and_never_parses_html() -> None:
    source = WIDGET.read_text(encoding="utf-8")
    assert len(source.encode()) < 30 * 1024
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source
    assert 'attachShadow({ mode: "open" })' in source


def test_the_documented_tag_sets_only_attributes_the_widget_reads() -> None:
    source = WIDGET.read_text(encoding="utf-8")
    names = re.findall(r"data-([a-z]+)=", example("readme-widget").text)
    assert names == ["title", "accent", "position", "open"]
    for name in names:
        assert f"script.dataset.{name}" in source


def test_demo_page_embeds_the_widget(http: httpx.Client) -> None:
    response = http.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    tag = re.search(r"<script [^>]*src=\"widget\.js\"[^>]*>", response.text)
    assert tag is not None
    for attribute in ('data-accent="#0a66c2"', 'data-position="right"', "async"):
        assert attribute in tag.group(0)


def test_favicon_is_an_icon(http: httpx.Client) -> None:
    """Browsers ask for it on every page; it was a 404."""
    response = http.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file with one image
    assert b"\x89PNG" in response.content
