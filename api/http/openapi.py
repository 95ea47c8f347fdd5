"""The served OpenAPI schema says what the server enforces.

FastAPI writes the schema from the request models; two things it cannot know are added
here, once, when the schema is first asked for:

- the bounds that come from settings (a question's maxLength, top_k's maximum), which
  the route handlers check;
- that every error answer is JSON (`{"error": {"code", "message"}}`), also on routes
  whose success is a server-sent event stream: FastAPI documents a route's extra
  responses under the route's own media type;
- the shape of one server-sent event (`event`, `data`, ...): FastAPI writes a stream's
  schema as a string, which no event is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from api.settings import ApiSettings

ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorBody"}
EVENT_STREAM = "text/event-stream"
SSE_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One server-sent event; `data` is JSON text (or [DONE] on completions).",
    "properties": {
        "event": {"type": "string"},
        "data": {"type": "string"},
        "id": {"type": "string"},
        "retry": {"type": "integer"},
    },
}
# (request schema, question field) of every request carrying a question.
QUESTION_FIELDS = (
    ("AskRequest", "question"),
    ("ChatRequest", "question"),
    ("SearchRequest", "query"),
)
TOP_K_SCHEMAS = ("AskRequest", "ChatRequest", "SearchRequest", "ChatCompletionRequest")
HISTORY_SCHEMAS = ("AskRequest", "ChatRequest")
# FastAPI's default 422 body, which api.http.errors replaces with ErrorBody.
FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")


def install_openapi(app: FastAPI, settings: ApiSettings) -> None:
    """Make `app.openapi()` return the schema with the settings' bounds and JSON errors."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            _errors_as_json(schema)
            _events_as_objects(schema)
            _bounds(schema, settings)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _errors_as_json(schema: dict[str, Any]) -> None:
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if status.startswith(("4", "5")):
                    response["content"] = {"application/json": {"schema": _error_body(response)}}
    components = schema.get("components", {}).get("schemas", {})
    for name in FASTAPI_VALIDATION:
        components.pop(name, None)


def _events_as_objects(schema: dict[str, Any]) -> None:
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                stream = response.get("content", {}).get(EVENT_STREAM)
                if status.startswith("2") and stream is not None:
                    stream["schema"] = dict(SSE_EVENT_SCHEMA)


def _error_body(response: dict[str, Any]) -> dict[str, Any]:
    """The documented body (as /readyz's 503, a Readiness), else ErrorBody."""
    for media in response.get("content", {}).values():
        body: dict[str, Any] = media.get("schema", {})
        if body and not body.get("$ref", "").endswith(FASTAPI_VALIDATION):
            return body
    return dict(ERROR_SCHEMA)


def _bounds(schema: dict[str, Any], settings: ApiSettings) -> None:
    components = schema.get("components", {}).get("schemas", {})
    for name, field in QUESTION_FIELDS:
        if name in components:
            components[name]["properties"][field]["maxLength"] = settings.max_question_chars
    for name in TOP_K_SCHEMAS:
        if name in components:
            _set(components[name]["properties"]["top_k"], "integer", "maximum", settings.max_top_k)
    for name in HISTORY_SCHEMAS:
        if name in components:
            history = components[name]["properties"]["history"]
            _set(history, "array", "maxItems", settings.max_history_turns)
    if "Turn" in components:
        _set(
            components["Turn"]["properties"]["content"],
            "string",
            "maxLength",
            settings.max_turn_chars,
        )
    if "ChatCompletionRequest" in components:
        messages = components["ChatCompletionRequest"]["properties"]["messages"]
        _set(messages, "array", "maxItems", settings.max_messages)
    if "ChatMessage" in components:
        content = components["ChatMessage"]["properties"]["content"]
        _set(content, "string", "maxLength", settings.max_turn_chars)
    if "ContentPart" in components:
        text = components["ContentPart"]["properties"]["text"]
        _set(text, "string", "maxLength", settings.max_turn_chars)


def _set(field: dict[str, Any], kind: str, key: str, value: int) -> None:
    """`key: value` on the `kind` option of `field` (itself, or one of its anyOf)."""
    for option in field.get("anyOf", [field]):
        if option.get("type") == kind:
            option[key] = value
