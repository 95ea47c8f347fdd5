"""Path templates (such as /v1/documents/{doc_id}) of the app's routes, for requests
answered before routing, and the methods each path supports.

Every route counts, in routing order: the documented ones, and those left out of the
OpenAPI schema (the API docs pages and the schema itself, the demo page, the favicon); a
mounted folder is the template `<prefix>/{path}`. A path matching none is "unmatched".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator

from fastapi import FastAPI
from starlette.routing import BaseRoute, Mount, Route

log = logging.getLogger(__name__)

_PARAMETER = re.compile(r"\\\{[^/]*?\\\}")
_MOUNTED = frozenset({"GET", "HEAD"})


class RouteTemplates:
    """Compiled from the app's routes on first use."""

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
            self._routes = list(_templates(self._api.routes, ""))
        return self._routes


def _templates(
    routes: Iterable[BaseRoute], prefix: str
) -> Iterator[tuple[str, re.Pattern[str], frozenset[str]]]:
    """Each route's template, pattern and methods, in routing order. FastAPI from 0.165
    keeps an included router as one entry (its routes under `original_router`, its prefix in
    `include_context`) instead of copying its routes into the app's list."""
    for route in routes:
        if isinstance(route, Route):
            template, methods = prefix + route.path, frozenset(route.methods or ())
            pattern = _PARAMETER.sub("[^/]+", re.escape(template))
        elif isinstance(route, Mount):
            template, methods = prefix + route.path + "/{path}", _MOUNTED
            pattern = re.escape(prefix + route.path) + "/.*"
        elif hasattr(route, "original_router"):  # an included router
            context = getattr(route, "include_context", None)
            inner = prefix + str(getattr(context, "prefix", "") or "")
            yield from _templates(route.original_router.routes, inner)
            continue
        else:  # websockets and the like: none here
            continue
        yield template, re.compile(pattern), methods
