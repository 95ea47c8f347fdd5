"""Hostile JSON bodies: a lone surrogate in any string and nesting past the bound are a
4xx JSON error on every JSON route, never a 500, and the service goes on answering."""

from __future__ import annotations

import importlib
import pkgutil
import re

import httpx
import pytest

import api.routes
from api.checks.json_body import CheckedJsonRoute, RefusedJsonError, parse_checked_json
from tests.api.checks.test_bad_requests import (
    GOOD_QUESTION,
    assert_json_error,
    assert_still_answers,
)

LONE = "\\ud800"  # a JSON escape that decodes to a lone (unpaired) UTF-16 surrogate
LOW = "\\udfff"
DEPTH = 5_000


def nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


# Raw bodies: json.dumps would refuse to write these.
SURROGATE_BODIES = [
    ("/v1/ask", f'{{"question": "{LONE}"}}'),
    ("/v1/ask", f'{{"question": "Where is the IIOE center? {LOW}"}}'),
    ("/v1/ask", f'{{"question": "{GOOD_QUESTION}", "filters": {{"{LONE}": "x"}}}}'),
    ("/v1/ask", f'{{"question": "{GOOD_QUESTION}", "filters": {{"lang": "{LONE}"}}}}'),
    (
        "/v1/ask",
        f'{{"question": "{GOOD_QUESTION}", "history": [{{"role": "user", "content": "{LONE}"}}]}}',
    ),
    ("/v1/search", f'{{"query": "{LONE}"}}'),
    ("/v1/search", f'{{"query": "IIOE", "filters": {{"lang": {{"$in": ["{LONE}"]}}}}}}'),
    ("/v1/chat", f'{{"question": "{LONE}"}}'),
    ("/v1/chat", f'{{"question": "{GOOD_QUESTION}", "conversation_id": "{LONE}"}}'),
    (
        "/v1/chat/completions",
        f'{{"model": "citeqa", "messages": [{{"role": "user", "content": "{LONE}"}}]}}',
    ),
    (
        "/v1/chat/completions",
        '{"model": "citeqa", "messages": [{"role": "user", "content": '
        f'[{{"type": "text", "text": "{LONE}"}}]}}]}}',
    ),
    ("/v1/chat/completions", f'{{"model": "{LONE}", "messages": []}}'),
]

DEEP_BODIES = [
    ("/v1/ask", f'{{"question": "{GOOD_QUESTION}", "filters": {nested(DEPTH)}}}'),
    ("/v1/ask", f'{{"question": "{GOOD_QUESTION}", "filters": {nested(40)}}}'),
    ("/v1/search", f'{{"query": "IIOE", "filters": {nested(DEPTH)}}}'),
    ("/v1/chat", f'{{"question": "{GOOD_QUESTION}", "filters": {nested(DEPTH)}}}'),
    (
        "/v1/chat/completions",
        f'{{"model": "citeqa", "messages": [{{"role": "user", "content": "hi"}}], '
        f'"stream_options": {nested(DEPTH)}}}',
    ),
    ("/v1/ask", "[" * 100_000 + "]" * 100_000),
]


@pytest.mark.parametrize(("route", "body"), SURROGATE_BODIES)
def test_a_lone_surrogate_in_any_string_is_422(http: httpx.Client, route: str, body: str) -> None:
    response = http.post(route, content=body, headers={"content-type": "application/json"})
    assert_json_error(response)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert "surrogate" in response.json()["error"]["message"]


@pytest.mark.parametrize(("route", "body"), DEEP_BODIES, ids=lambda v: str(v)[:40])
def test_nesting_past_the_bound_is_422(http: httpx.Client, route: str, body: str) -> None:
    response = http.post(route, content=body, headers={"content-type": "application/json"})
    assert_json_error(response)
    assert response.status_code == 422
    assert "nested" in response.json()["error"]["message"]


def test_the_service_goes_on_after_hostile_json(http: httpx.Client) -> None:
    for route, body in SURROGATE_BODIES + DEEP_BODIES:
        http.post(route, content=body, headers={"content-type": "application/json"})
    assert_still_answers(http)


def test_every_route_reads_json_through_the_checks() -> None:
    modules = [
        importlib.import_module(f"api.routes.{info.name}")
        for info in pkgutil.iter_modules(api.routes.__path__)
    ]
    routes = [route for module in modules for route in module.router.routes]
    assert len(routes) >= 15
    unchecked = [route.path for route in routes if not isinstance(route, CheckedJsonRoute)]
    assert unchecked == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"a": [1, {"b": "ok"}]}', None),
        ('"\\ud83d\\ude00"', None),  # a valid pair is one code point
        ('{"a": ["x", "\\udc00"]}', "a.1: the string holds a lone surrogate (\\udc00)"),
        ('{"\\ud800": 1}', "a key holds a lone surrogate (\\ud800)"),
        (nested(4), None),
        (nested(5), "nested deeper than 4 levels"),
        ("[" * 50_000 + "]" * 50_000, "nested deeper than 4 levels"),
    ],
)
def test_parse_checked_json(text: str, problem: str | None) -> None:
    if problem is None:
        parse_checked_json(text, max_depth=4)
    else:
        with pytest.raises(RefusedJsonError, match=re.escape(problem)):
            parse_checked_json(text, max_depth=4)
