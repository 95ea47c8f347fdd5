"""Bodies of the question routes (ask, search, chat), of health and of every error
(documented in docs/http-api.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import Ge
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictStr,
    WithJsonSchema,
)

from api.checks.validation import VISIBLE_TEXT
from index.stores.filters import MAX_FILTER_KEY_CHARS, MAX_FILTER_KEYS, MAX_FILTER_VALUES
from qa.types import Answer, Passage


def whole_float_to_int(value: object) -> object:
    """JSON Schema counts 2.0 as an integer, so the server takes it as 2."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Count = Annotated[int, Strict(), Ge(1), BeforeValidator(whole_float_to_int)]
"""A whole number from 1, sent as 2 or 2.0 (never "2" or true)."""

_SCALAR: dict[str, Any] = {"type": ["string", "number", "boolean"]}
FILTERS_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {
            "type": "object",
            "maxProperties": MAX_FILTER_KEYS,
            "propertyNames": {"minLength": 1, "maxLength": MAX_FILTER_KEY_CHARS},
            "additionalProperties": {
                "anyOf": [
                    _SCALAR,
                    {
                        "type": "object",
                        "properties": {"$eq": _SCALAR},
                        "required": ["$eq"],
                        "additionalProperties": False,
                    },
                    {
                        "type": "object",
                        "properties": {
                            "$in": {
                                "type": "array",
                                "items": _SCALAR,
                                "minItems": 1,
                                "maxItems": MAX_FILTER_VALUES,
                            }
                        },
                        "required": ["$in"],
                        "additionalProperties": False,
                    },
                ]
            },
        },
        {"type": "null"},
    ],
    "description": 'Metadata filters: {"key": value}, {"key": {"$eq": value}} or '
    '{"key": {"$in": [...]}}, ANDed.',
}
"""What index.stores.filters.parse_filters takes (it checks them; this documents them)."""

Filters = Annotated[dict[str, Any] | None, WithJsonSchema(FILTERS_SCHEMA)]
"""The `filters` field of a request, as sent (api.checks.validation.checked_filters parses it)."""
ASK_TOP_K = (
    "How many ranked passages `include_passages` returns, 1 to CITEQA_MAX_TOP_K (50); "
    "CITEQA_TOP_K (5) when absent. It changes neither what is retrieved nor the answer."
)
INCLUDE_PASSAGES = "Return the `top_k` best-ranked passages in `passages`."
QUESTION_TEXT: dict[str, Any] = {"minLength": 1, "pattern": VISIBLE_TEXT}
"""A question's schema: not blank, no NUL (api.checks.validation.checked_question checks it, and
the served schema adds the configured maxLength)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Turn(_Strict):
    """One earlier message of the conversation."""

    role: Literal["user", "assistant"]
    content: StrictStr = Field(description="At most CITEQA_MAX_TURN_CHARS (20,000) characters.")


class AskRequest(_Strict):
    question: StrictStr = Field(
        description="The question; 1 to CITEQA_MAX_QUESTION_CHARS (4,000) characters, "
        "not all blank, no NUL.",
        json_schema_extra=QUESTION_TEXT,
    )
    top_k: Count | None = Field(default=None, description=ASK_TOP_K)
    filters: Filters = None
    history: list[Turn] | None = Field(
        default=None, description="At most CITEQA_MAX_HISTORY_TURNS (20) earlier turns."
    )
    include_passages: StrictBool = Field(default=False, description=INCLUDE_PASSAGES)


class ChatRequest(AskRequest):
    """One turn of a conversation: earlier turns come as `history` or as a
    `conversation_id` from an earlier `meta` event, not both."""

    model_config = ConfigDict(
        json_schema_extra={
            "not": {
                "required": ["history", "conversation_id"],
                "properties": {"history": {"type": "array"}, "conversation_id": {"type": "string"}},
            }
        }
    )

    conversation_id: StrictStr | None = Field(
        default=None,
        max_length=64,
        description="Continue a server-side conversation; unknown or expired ids start anew.",
    )


class ChatMeta(BaseModel):
    """Data of the first `meta` event of /v1/chat."""

    conversation_id: str
    resumed: bool = Field(description="Whether the conversation_id sent was continued.")


class ChatDelta(BaseModel):
    """Data of a `delta` event: the next piece of the answer text."""

    text: str


class SearchRequest(_Strict):
    query: StrictStr = Field(
        description="1 to CITEQA_MAX_QUESTION_CHARS characters, not all blank, no NUL.",
        json_schema_extra=QUESTION_TEXT,
    )
    top_k: Count | None = Field(
        default=None,
        description="How many ranked passages to return, 1 to CITEQA_MAX_TOP_K (50); "
        "CITEQA_TOP_K (5) when absent.",
    )
    filters: Filters = None


class SearchResponse(BaseModel):
    results: list[Passage]


class AskResponse(Answer):
    """Same fields as qa.types.Answer; `passages` only when asked for."""


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "loading", "failed"]
    snapshot_id: str | None = None
    documents: int = 0
    chunks: int = 0
    detail: str | None = None
