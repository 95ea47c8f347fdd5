"""OpenAI-compatible chat: POST /v1/chat/completions (stream or not) and GET /v1/models.

The assistant message carries the `[n]` markers; the citations travel in `citations` of
the completion, and of the last chunk of a stream, before `data: [DONE]`.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncGenerator, Iterator
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool

from api.checks.content_type import json_body
from api.checks.json_body import CheckedJsonRoute
from api.checks.validation import checked_filters, checked_question, checked_top_k
from api.http.errors import ApiError, index_unavailable
from api.http.sse import EventStreamResponse
from api.http.threaded import iterate_in_thread
from api.routes.ask import ERRORS
from api.schemas.openai_compat import (
    MODEL_ID,
    AnswerInfo,
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    ChatMessage,
    Choice,
    ChunkChoice,
    ChunkDelta,
    Model,
    ModelList,
)
from api.settings import ApiSettings
from api.state import get_pipeline, get_settings
from index.unavailable import IndexUnavailableError
from qa.pipeline import QAPipeline
from qa.streaming import AnswerDelta, AnswerDone, StreamEvent
from qa.types import Answer

log = logging.getLogger(__name__)
router = APIRouter(route_class=CheckedJsonRoute, tags=["openai"], dependencies=[Depends(json_body)])
STARTED = int(time.time())
DONE = b"data: [DONE]\n\n"


@router.get("/v1/models", response_model=ModelList)
async def list_models() -> ModelList:
    return ModelList(data=[Model(created=STARTED)])


@router.get("/v1/models/{model_id}", response_model=Model, responses={404: ERRORS[422]})
async def get_model(model_id: str) -> Model:
    _check_model(model_id)
    return Model(created=STARTED)


@router.post(
    "/v1/chat/completions",
    response_model=ChatCompletion,
    responses={
        **ERRORS,
        404: ERRORS[422],
        200: {
            "description": "A chat completion, or with `stream: true` server-sent events "
            "(`data: {chat.completion.chunk}` ... `data: [DONE]`).",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
    },
)
async def chat_completions(
    body: ChatCompletionRequest,
    pipeline: Annotated[QAPipeline, Depends(get_pipeline)],
    settings: Annotated[ApiSettings, Depends(get_settings)],
) -> ChatCompletion | EventStreamResponse:
    _check_model(body.model)
    question, history = _conversation(body.messages, settings)
    top_k = checked_top_k(body.top_k, settings)
    filters = checked_filters(body.filters)
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    if body.stream:
        events = pipeline.stream(
            question,
            history=history,
            top_k=top_k,
            filters=filters,
            include_passages=body.include_passages,
        )  # a generator: the pipeline runs as the response is sent
        return EventStreamResponse(_stream(events, completion_id, created))
    answer = await run_in_threadpool(
        pipeline.ask,
        question,
        history=history,
        top_k=top_k,
        filters=filters,
        include_passages=body.include_passages,
    )
    return ChatCompletion(
        id=completion_id,
        created=created,
        choices=[Choice(message=AssistantMessage(content=answer.answer))],
        citations=answer.citations,
        citeqa=_info(answer),
    )


def _check_model(model: str) -> None:
    if model != MODEL_ID:
        raise ApiError(404, "model_not_found", f'unknown model {model!r}; use "{MODEL_ID}"')


def _conversation(
    messages: list[ChatMessage], settings: ApiSettings
) -> tuple[str, list[tuple[str, str]]]:
    """The question (the last message, from the user) and the earlier user/assistant turns."""
    if len(messages) > settings.max_messages:
        raise ApiError(
            422,
            "invalid_request",
            f"{len(messages)} messages, at most {settings.max_messages}",
        )
    for i, message in enumerate(messages[:-1]):
        if len(_text(message)) > settings.max_turn_chars:
            raise ApiError(
                422,
                "invalid_request",
                f"message {i} is over {settings.max_turn_chars} characters",
            )
    *earlier, last = messages
    if last.role != "user":
        raise ApiError(422, "invalid_request", "the last message must be a user message")
    question = checked_question(_text(last), settings, field="the last user message")
    history: list[tuple[str, str]] = [
        (m.role, _text(m)) for m in earlier if m.role in ("user", "assistant")
    ]
    return question, [turn for turn in history if turn[1].strip()][-settings.max_history_turns :]


def _text(message: ChatMessage) -> str:
    """The message's text; a list of parts (text only, by the schema) joined by lines."""
    if message.content is None or isinstance(message.content, str):
        return message.content or ""
    return "\n".join(part.text for part in message.content)


def _info(answer: Answer) -> AnswerInfo:
    return AnswerInfo(
        abstained=answer.abstained,
        confidence=answer.confidence,
        fallback=answer.fallback,
        fallback_reason=answer.fallback_reason,
        short_answer=answer.short_answer,
        timings_ms=answer.timings_ms,
        passages=answer.passages,
    )


async def _stream(
    events: Iterator[StreamEvent],
    completion_id: str,
    created: int,
) -> AsyncGenerator[bytes, None]:
    """Server-sent events: a role chunk, content chunks, the final chunk, [DONE]."""

    def chunk(delta: ChunkDelta, answer: Answer | None = None) -> bytes:
        body = ChatCompletionChunk(
            id=completion_id,
            created=created,
            choices=[ChunkChoice(delta=delta, finish_reason="stop" if answer else None)],
            citations=answer.citations if answer else None,
            citeqa=_info(answer) if answer else None,
        )
        data = body.model_dump(mode="json", exclude={"citations", "citeqa"} if not answer else None)
        data["choices"][0]["delta"] = delta.model_dump(exclude_none=True)
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()

    yield chunk(ChunkDelta(role="assistant", content=""))
    try:
        async for event in iterate_in_thread(events):
            if isinstance(event, AnswerDelta) and event.text:
                yield chunk(ChunkDelta(content=event.text))
            elif isinstance(event, AnswerDone):
                yield chunk(ChunkDelta(), event.answer)
    except IndexUnavailableError as exc:  # the status line is gone: report in the stream
        unavailable = index_unavailable(exc)
        error = {"code": unavailable.code, "message": unavailable.message}
        yield f"data: {json.dumps({'error': error})}\n\n".encode()
    except Exception:
        log.exception("streaming a chat completion failed")
        error = {"code": "internal_error", "message": "the answer could not be completed"}
        yield f"data: {json.dumps({'error': error})}\n\n".encode()
    yield DONE
