"""Per request: an id (`X-Request-ID` taken or made, and returned), the request metrics
by route template, and one JSON access-log line with the connection's `peer` and the
`client` (the peer, or the address a trusted proxy forwarded for)."""

from __future__ import annotations

import logging
import re
import time
from uuid import uuid4

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.route_templates import RouteTemplates
from api.observability.jsonlog import REQUEST_ID
from api.observability.metrics import Metrics

access_log = logging.getLogger("citeqa.access")

HEADER = b"x-request-id"
UNMATCHED = "unmatched"
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_VALID_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


class RequestTracking:
    """Outermost middleware: sees every response, including 413 and 429 refusals."""

    def __init__(self, app: ASGIApp, metrics: Metrics, templates: RouteTemplates) -> None:
        self.app = app
        self.metrics = metrics
        self.templates = templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        token = REQUEST_ID.set(request_id)
        peer = _address(scope)  # before a trusted proxy's header may replace it
        started = time.perf_counter()
        status = 500

        async def tracking_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message = {**message, "headers": [*headers, (HEADER, request_id.encode())]}
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, tracking_send)
        finally:
            self.metrics.in_flight.dec()
            seconds = time.perf_counter() - started
            route = self._route(scope)
            method = str(scope.get("method", ""))
            self.metrics.observe_request(method, route, status, seconds)
            path = str(scope.get("path", ""))
            access_log.log(
                logging.DEBUG if path in QUIET_PATHS else logging.INFO,
                "%s %s %d",
                method,
                path,
                status,
                extra={
                    "method": method,
                    "path": path,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                    "client": _address(scope),
                    "peer": peer,
                },
            )
            REQUEST_ID.reset(token)

    def _route(self, scope: Scope) -> str:
        """The route template (such as /v1/documents/{doc_id}), never the raw path."""
        path = getattr(scope.get("route"), "path", None)
        if isinstance(path, str) and path:
            return path
        # Refused before routing (413, 429): find the template ourselves.
        return self.templates.match(str(scope.get("path", ""))) or UNMATCHED


def _address(scope: Scope) -> str:
    return str((scope.get("client") or ("", 0))[0])


def _request_id(scope: Scope) -> str:
    for key, value in scope.get("headers") or []:
        if key.lower() == HEADER and _VALID_ID.fullmatch(value):
            return str(value.decode("ascii"))
    return uuid4().hex
