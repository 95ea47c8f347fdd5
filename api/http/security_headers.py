"""Security headers by response type; a header a route sets itself is left as it is.

- every response: `X-Content-Type-Options: nosniff`;
- HTML: a Content-Security-Policy (scripts from this origin only, no framing, no plugins),
  `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`,
  `Cross-Origin-Opener-Policy: same-origin`; the API docs pages (Swagger UI and ReDoc,
  served from this origin) also allow their inline start-up script and ReDoc's worker;
- JavaScript: `Referrer-Policy: no-referrer` and `Cross-Origin-Resource-Policy:
  cross-origin`, so the widget can be embedded by pages of other origins (CORS decides
  which ones may call the API).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_HTML = {
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"no-referrer",
    b"cross-origin-opener-policy": b"same-origin",
}
_SCRIPT = {
    b"referrer-policy": b"no-referrer",
    b"cross-origin-resource-policy": b"cross-origin",
}
_JS_TYPES = (b"application/javascript", b"text/javascript", b"application/ecmascript")


class SecurityHeaders:
    """ASGI middleware adding the headers above to responses that lack them."""

    def __init__(self, app: ASGIApp, docs_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.docs_paths = docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope.get("path") in self.docs_paths else PAGE_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _with_security(message.get("headers", []), csp)}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _with_security(headers: list[tuple[bytes, bytes]], csp: str) -> list[tuple[bytes, bytes]]:
    present = {key.lower() for key, _ in headers}
    content_type = next((v.lower() for k, v in headers if k.lower() == b"content-type"), b"")
    extra: dict[bytes, bytes] = {b"x-content-type-options": b"nosniff"}
    if content_type.startswith(b"text/html"):
        extra |= {b"content-security-policy": csp.encode(), **_HTML}
    elif content_type.startswith(_JS_TYPES):
        extra |= _SCRIPT
    return [*headers, *((k, v) for k, v in extra.items() if k not in present)]
