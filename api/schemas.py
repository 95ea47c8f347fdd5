"""Request and response bodies of the HTTP API (documented in docs/http-api.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from qa.types import Answer, Passage

MAX_HISTORY_TURNS = 20


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Turn(_Strict):
    """One earlier message of the conversation."""

    role: Literal["user", "assistant"]
    content: StrictStr = Field(max_length=20_000)


class AskRequest(_Strict):
    question: StrictStr = Field(
        description="The question; 1 to CITEQA_MAX_QUESTION_CHARS (4,000) characters."
    )
    top_k: StrictInt | None = Field(
        default=None, ge=1, description="How many passages to consider, 1 to 50."
    )
    filters: dict[str, Any] | None = Field(
        default=None,
        description='Metadata filters: {"key": value} or {"key": {"$in": [...]}}, ANDed.',
    )
    history: list[Turn] | None = Field(default=None, max_length=MAX_HISTORY_TURNS)
    include_passages: StrictBool = False


class ChatRequest(AskRequest):
    """One turn of a conversation: earlier turns come as `history` or as a
    `conversation_id` from an earlier `meta` event, not both."""

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
    query: StrictStr = Field(description="1 to CITEQA_MAX_QUESTION_CHARS characters.")
    top_k: StrictInt | None = Field(default=None, ge=1)
    filters: dict[str, Any] | None = None


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
