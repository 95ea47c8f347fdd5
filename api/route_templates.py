"""Path templates (such as /v1/documents/{doc_id}) of the app's documented routes, for
requests answered before routing, and the methods each path supports."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI

log = logging.getLogger(__name__)

_PARAMETER = re.compile(r"\\\{[^/]*?\\\}")


class RouteTemplates:
    """Compiled from the OpenAPI schema on first use."""

    def __init__(self, api: FastAPI) -> None:
        self._api = api
        self._routes: list[tuple[str, re.Pattern[str], frozenset[str]]] | None = None

    def match(self, path: str) -> str | None:
        """The first template matching `path`, in routing order."""
        return next((t for t, pattern, _ in self._compiled() if pattern.fullmatch(path)), None)

    def methods(self, path: str) -> frozenset[str]:
        """Every method of every template matching `path`."""
        found: set[str] = set()
        for _, pattern, methods in self._compiled():
            if pattern.fullmatch(path):
                found |= methods
        return frozenset(found)

    def _compiled(self) -> list[tuple[str, re.Pattern[str], frozenset[str]]]:
        if self._routes is None:
            try:
                paths = self._api.openapi().get("paths", {})
            except Exception:  # a broken schema must not break requests
                log.exception("route templates unavailable")
                paths = {}
            self._routes = [
                (
                    template,
                    re.compile(_PARAMETER.sub("[^/]+", re.escape(template))),
                    frozenset(method.upper() for method in operations),
                )
                for template, operations in paths.items()
            ]
        return self._routes
