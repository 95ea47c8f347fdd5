"""GET /widget.js (the embeddable chat widget), GET / (a demo page that embeds it) and
GET /favicon.ico (what browsers ask for on every page of the site)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from api.checks.json_body import CheckedJsonRoute

router = APIRouter(route_class=CheckedJsonRoute, tags=["widget"])

WIDGET_CACHE = "public, max-age=300"


FAVICON_CACHE = "public, max-age=86400"


@cache
def static_text(name: str) -> str:
    """A file of api/static, read once."""
    return files("api").joinpath("static", name).read_text(encoding="utf-8")


@cache
def static_bytes(name: str) -> bytes:
    return files("api").joinpath("static", name).read_bytes()


@router.get(
    "/widget.js",
    response_class=Response,
    responses={200: {"content": {"text/javascript": {}}, "description": "The chat widget."}},
)
def widget_js() -> Response:
    """The chat widget: one script tag adds a launcher and a chat panel to any page."""
    return Response(
        static_text("widget.js"),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": WIDGET_CACHE},
    )


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def demo_page() -> HTMLResponse:
    """A sample host page with the widget on it."""
    return HTMLResponse(static_text("demo.html"))


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """The site's icon (a 32-pixel PNG in an ICO file), so browsers get no 404."""
    return Response(
        static_bytes("favicon.ico"),
        media_type="image/x-icon",
        headers={"Cache-Control": FAVICON_CACHE},
    )
