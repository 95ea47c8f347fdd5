"""JSON from clients, checked before any model sees it: nesting at most
CITEQA_MAX_JSON_DEPTH levels, and no string or key with a lone surrogate.

`CheckedJsonRoute` is the route class of every router: FastAPI reads a route's JSON body
through `Request.json()`, which it replaces. A refused body is a 422 `invalid_request`,
never a RecursionError or an encoder's 500 further in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from index.loaders.plain_values import value_problem


class RefusedJsonError(ValueError):
    """JSON that parses but is nested too deeply or holds a lone surrogate."""


def parse_checked_json(data: bytes | str, max_depth: int) -> Any:
    """The value of `data`; json.JSONDecodeError when it is not JSON, RefusedJsonError when it
    is refused."""
    try:
        value = json.loads(data)
    except RecursionError as exc:  # json's decoder recurses once per level
        raise RefusedJsonError(f"the value is nested deeper than {max_depth} levels") from exc
    problem = value_problem(value, max_depth)
    if problem is not None:
        raise RefusedJsonError(problem)
    return value


class CheckedJsonRequest(Request):
    """A request whose `json()` is `parse_checked_json` with the app's depth bound."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            max_depth: int = self.app.state.settings.max_json_depth
            try:
                self._json = parse_checked_json(await self.body(), max_depth)
            except RefusedJsonError as exc:
                # FastAPI passes HTTPException through its body parsing untouched.
                raise HTTPException(422, str(exc)) from exc
        return self._json


class CheckedJsonRoute(APIRoute):
    """An APIRoute that hands its handler a CheckedJsonRequest."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def checked_handler(request: Request) -> Response:
            return await handler(CheckedJsonRequest(request.scope, request.receive))

        return checked_handler
