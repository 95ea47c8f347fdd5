"""Every bad request to /v1/ask and /v1/search is a 4xx JSON error; the service goes on."""

from __future__ import annotations

import json

import httpx
import pytest

GOOD_QUESTION = "Where does UNESCO-ICHEI plan to establish an IIOE National Center?"

BAD_JSON_BODIES = [
    ("missing question", {}),
    ("empty question", {"question": ""}),
    ("whitespace question", {"question": " \n\t "}),
    ("100 KB question", {"question": "why " * 25_000}),
    ("question is a number", {"question": 42}),
    ("question is a list", {"question": ["a"]}),
    ("question is null", {"question": None}),
    ("top_k zero", {"question": GOOD_QUESTION, "top_k": 0}),
    ("top_k ten thousand", {"question": GOOD_QUESTION, "top_k": 10_000}),
    ("top_k negative", {"question": GOOD_QUESTION, "top_k": -1}),
    ("top_k string", {"question": GOOD_QUESTION, "top_k": "5"}),
    ("top_k float", {"question": GOOD_QUESTION, "top_k": 2.5}),
    ("top_k bool", {"question": GOOD_QUESTION, "top_k": True}),
    ("filters not an object", {"question": GOOD_QUESTION, "filters": ["doc_id"]}),
    ("filter with bad operator", {"question": GOOD_QUESTION, "filters": {"lang": {"$gt": 1}}}),
    ("filter with object value", {"question": GOOD_QUESTION, "filters": {"lang": {"a": 1}}}),
    ("unknown field", {"question": GOOD_QUESTION, "topk": 3}),
    ("body is a list", [GOOD_QUESTION]),
    ("body is a string", GOOD_QUESTION),
    ("NUL in question", {"question": "where\u0000is it"}),
]

RAW_BODIES = [
    ("invalid JSON", b'{"question": "where', "application/json"),
    ("not UTF-8", b'{"question": "\xff\xfe\xfa"}', "application/json"),
    ("binary junk", bytes(range(256)) * 4, "application/json"),
    ("empty body", b"", "application/json"),
    ("form instead of JSON", b"question=where", "application/x-www-form-urlencoded"),
    ("over the body bound", b'{"question": "' + b"a" * (2 << 20) + b'"}', "application/json"),
]


def assert_json_error(response: httpx.Response) -> None:
    assert 400 <= response.status_code < 500, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"]["code"], str)
    assert body["error"]["code"]
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]


def assert_still_answers(http: httpx.Client) -> None:
    response = http.post("/v1/ask", json={"question": GOOD_QUESTION})
    assert response.status_code == 200
    assert "Uzbekistan" in response.json()["answer"]


@pytest.mark.parametrize("route", ["/v1/ask", "/v1/search"])
@pytest.mark.parametrize(("case", "body"), BAD_JSON_BODIES, ids=[c for c, _ in BAD_JSON_BODIES])
def test_bad_json_body_is_a_4xx_json_error(
    http: httpx.Client, route: str, case: str, body: object
) -> None:
    if route == "/v1/search" and isinstance(body, dict) and "question" in body:
        body = {("query" if k == "question" else k): v for k, v in body.items()}
    assert_json_error(http.post(route, content=json.dumps(body), headers=_json_header()))


@pytest.mark.parametrize("route", ["/v1/ask", "/v1/search"])
@pytest.mark.parametrize(
    ("case", "raw", "content_type"), RAW_BODIES, ids=[c for c, _, _ in RAW_BODIES]
)
def test_malformed_body_is_a_4xx_json_error(
    http: httpx.Client, route: str, case: str, raw: bytes, content_type: str
) -> None:
    assert_json_error(http.post(route, content=raw, headers={"content-type": content_type}))


def test_oversized_body_is_413(http: httpx.Client) -> None:
    response = http.post(
        "/v1/ask",
        content=b'{"question": "' + b"a" * (2 << 20) + b'"}',
        headers=_json_header(),
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_wrong_method_and_unknown_route_are_json_errors(http: httpx.Client) -> None:
    assert_json_error(http.get("/v1/ask"))
    assert_json_error(http.post("/v1/nothing-here", json={}))


def test_service_keeps_answering_after_bad_requests(http: httpx.Client) -> None:
    for _, body in BAD_JSON_BODIES:
        http.post("/v1/ask", content=json.dumps(body), headers=_json_header())
    for _, raw, content_type in RAW_BODIES:
        http.post("/v1/ask", content=raw, headers={"content-type": content_type})
    assert_still_answers(http)


def _json_header() -> dict[str, str]:
    return {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/ask", {"question": "Where was CASIE 2022 held?"}),
        ("/v1/search", {"query": "CASIE 2022"}),
        ("/v1/chat", {"question": "Where was CASIE 2022 held?"}),
        (
            "/v1/chat/completions",
            {"model": "citeqa", "messages": [{"role": "user", "content": "Hi"}]},
        ),
    ],
)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_not_declared_json_is_415_saying_so(
    http: httpx.Client, path: str, body: dict[str, object], content_type: str
) -> None:
    response = http.post(path, content=json.dumps(body), headers={"Content-Type": content_type})
    assert response.status_code == 415
    error = response.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert "Content-Type: application/json" in error["message"]
    assert content_type in error["message"]


def test_json_with_a_charset_is_read_and_a_body_without_a_type_is_415(
    http: httpx.Client,
) -> None:
    body = json.dumps({"query": "CASIE 2022"})
    typed = http.post(
        "/v1/search", content=body, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    untyped = http.post("/v1/search", content=body)
    assert typed.status_code == 200
    assert untyped.status_code == 415
    assert "no content-type" in untyped.json()["error"]["message"]
