"""A 405 answer lists in `Allow` every method its path supports (FastAPI's router names
only the methods of the first route matching the path)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.route_templates import RouteTemplates


class AllowHeader:
    def __init__(self, app: ASGIApp, templates: RouteTemplates) -> None:
        self.app = app
        self.templates = templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = self.templates.methods(str(scope.get("path", "")))
                if methods:
                    headers = [(k, v) for k, v in message.get("headers", []) if k != b"allow"]
                    allow = (b"allow", ", ".join(sorted(methods)).encode())
                    message = {**message, "headers": [*headers, allow]}
            await send(message)

        await self.app(scope, receive, send_with_allow)
