"""Bodies of the OpenAI-compatible API (`/v1/chat/completions`, `/v1/models`).

Requests follow OpenAI's chat API; fields citeqa does not use (penalties, seed, tools,
user, ...) are accepted and ignored, so clients built for OpenAI work unchanged. Responses
add `citations` (as in `/v1/ask`) and `citeqa` (abstained, confidence, fallback, timings).
"""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import Ge, Le
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, StrictBool, StrictStr

from api.schemas.questions import Count, Filters, whole_float_to_int
from qa.types import Citation, Passage, ShortAnswer

MODEL_ID = "citeqa"


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ContentPart(_Lenient):
    type: Literal["text"] = Field(description="Only text parts are supported.")
    text: StrictStr


class ChatMessage(_Lenient):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: StrictStr | list[ContentPart] | None = Field(
        default=None, description="Text, or a list of text parts."
    )


class StreamOptions(_Lenient):
    include_usage: StrictBool | None = None


class ChatCompletionRequest(_Lenient):
    """OpenAI's chat completion request. The last message is the question; earlier user and
    assistant messages are the conversation. citeqa writes with its configured model, so
    sampling fields are checked but do not change the answer."""

    model: StrictStr = Field(description=f'The id from GET /v1/models: "{MODEL_ID}".')
    messages: list[ChatMessage] = Field(
        min_length=1,
        description="At most CITEQA_MAX_MESSAGES (200), each of at most CITEQA_MAX_TURN_CHARS "
        "(20,000) characters.",
    )
    stream: StrictBool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    max_tokens: Count | None = None
    max_completion_tokens: Count | None = None
    n: Annotated[int, Strict(), Ge(1), Le(1), BeforeValidator(whole_float_to_int)] | None = Field(
        default=None, description="Only 1 is supported."
    )
    stop: StrictStr | list[StrictStr] | None = None
    top_k: Count | None = Field(
        default=None,
        description="citeqa: how many ranked passages `include_passages` returns, 1 to "
        "CITEQA_MAX_TOP_K (50); CITEQA_TOP_K (5) when absent. It changes neither what is "
        "retrieved nor the answer.",
    )
    filters: Filters = None
    include_passages: StrictBool = Field(
        default=False,
        description="citeqa: return the `top_k` best-ranked passages in `citeqa.passages`.",
    )


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str = Field(description="The answer; `[n]` marks citation n.")
    refusal: None = None


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class AnswerInfo(BaseModel):
    """What citeqa knows about the answer beyond its text."""

    abstained: bool
    confidence: float
    fallback: bool | None = None
    fallback_reason: str | None = None
    short_answer: ShortAnswer | None = None
    timings_ms: dict[str, float] = Field(default_factory=dict)
    passages: list[Passage] | None = Field(
        default=None,
        exclude_if=lambda passages: passages is None,
        description="With `include_passages`: the `top_k` best-ranked passages, as in /v1/ask.",
    )


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str = MODEL_ID
    choices: list[Choice]
    citations: list[Citation] = Field(description="What each `[n]` of the answer quotes.")
    citeqa: AnswerInfo


class ChunkDelta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: ChunkDelta
    finish_reason: Literal["stop"] | None = None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    """One server-sent event of a streamed answer; the last one (finish_reason "stop")
    carries `citations` and `citeqa`, then `data: [DONE]` follows."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str = MODEL_ID
    choices: list[ChunkChoice]
    citations: list[Citation] | None = None
    citeqa: AnswerInfo | None = None


class Model(BaseModel):
    id: str = MODEL_ID
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "citeqa"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Model]
