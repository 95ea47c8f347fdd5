"""POST /v1/chat: one turn of a conversation, streamed as server-sent events.

Events, in order: `meta` (ChatMeta: the conversation id), then `delta` (ChatDelta: answer
text as it is produced) and `citation` (a citation object, once its marker has been
sent), then `done` (exactly the body /v1/ask returns) or `error` ({"error": {"code",
"message"}}). An idle stream carries a keep-alive comment every 15 seconds (api.http.sse).
A request that is not valid gets a JSON error, as /v1/ask, before any event is sent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from api.checks.content_type import json_body
from api.checks.json_body import CheckedJsonRoute
from api.checks.validation import checked_filters, checked_history, checked_question, checked_top_k
from api.conversations import ConversationStore
from api.http.errors import ApiError, index_unavailable
from api.http.sse import EventStreamResponse, encode_event
from api.http.threaded import iterate_in_thread
from api.routes.ask import ERRORS
from api.schemas.questions import (
    AskResponse,
    ChatDelta,
    ChatMeta,
    ChatRequest,
    ErrorBody,
    ErrorDetail,
)
from api.settings import ApiSettings
from api.state import get_pipeline, get_settings
from index.stores.filters import Filter
from index.unavailable import IndexUnavailableError
from qa.pipeline import QAPipeline
from qa.streaming import AnswerDelta, AnswerDone, CitationEvent

log = logging.getLogger(__name__)

router = APIRouter(
    route_class=CheckedJsonRoute, tags=["questions"], dependencies=[Depends(json_body)]
)

_store_lock = threading.Lock()


@dataclass(frozen=True)
class ChatTurn:
    """A validated chat request, with the conversation it belongs to."""

    question: str
    top_k: int | None
    filters: Filter
    history: list[tuple[str, str]]
    include_passages: bool
    conversation_id: str
    resumed: bool


def get_conversations(request: Request) -> ConversationStore:
    """The app's conversation store (`app.state.conversations`), made on first use."""
    with _store_lock:
        store: ConversationStore | None = getattr(request.app.state, "conversations", None)
        if store is None:
            store = request.app.state.conversations = ConversationStore()
    return store


def chat_turn(
    body: ChatRequest,
    settings: Annotated[ApiSettings, Depends(get_settings)],
    conversations: Annotated[ConversationStore, Depends(get_conversations)],
) -> ChatTurn:
    """Checks the request as /v1/ask does, and finds or starts its conversation."""
    question = checked_question(body.question, settings)
    top_k = checked_top_k(body.top_k, settings)
    filters = checked_filters(body.filters)
    if body.conversation_id is not None and body.history is not None:
        raise ApiError(422, "invalid_request", "send history or conversation_id, not both")
    stored = conversations.turns(body.conversation_id) if body.conversation_id else None
    if stored is not None and body.conversation_id is not None:
        history, conversation_id = stored, body.conversation_id
    else:
        history = [(turn.role, turn.content) for turn in body.history or []]
        checked_history(history, settings)
        conversation_id = conversations.start(history)
    return ChatTurn(
        question=question,
        top_k=top_k,
        filters=filters,
        history=history,
        include_passages=body.include_passages,
        conversation_id=conversation_id,
        resumed=stored is not None,
    )


@router.post(
    "/v1/chat",
    response_class=EventStreamResponse,
    status_code=200,
    responses={
        **ERRORS,
        200: {
            "content": {"text/event-stream": {}},
            "description": "Events: meta, delta, citation, then done or error.",
        },
    },
)
async def chat(
    turn: Annotated[ChatTurn, Depends(chat_turn)],
    pipeline: Annotated[QAPipeline, Depends(get_pipeline)],
    conversations: Annotated[ConversationStore, Depends(get_conversations)],
) -> EventStreamResponse:
    """One turn of a conversation as server-sent events; see the module docstring."""
    return EventStreamResponse(_events(turn, pipeline, conversations))


async def _events(
    turn: ChatTurn, pipeline: QAPipeline, conversations: ConversationStore
) -> AsyncGenerator[bytes, None]:
    yield _event("meta", ChatMeta(conversation_id=turn.conversation_id, resumed=turn.resumed))
    events = pipeline.stream(
        turn.question,
        top_k=turn.top_k,
        filters=turn.filters,
        history=turn.history,
        include_passages=turn.include_passages,
    )
    try:
        # The pipeline runs in the threadpool; a client that goes away closes this
        # generator, which stops the pipeline's stream after the step in progress.
        async for event in iterate_in_thread(events):
            if isinstance(event, AnswerDelta):
                yield _event("delta", ChatDelta(text=event.text))
            elif isinstance(event, CitationEvent):
                yield _event("citation", event.citation)
            elif isinstance(event, AnswerDone):
                conversations.append(turn.conversation_id, turn.question, event.answer.answer)
                yield _event("done", AskResponse.model_validate(event.answer.model_dump()))
    except ApiError as exc:
        yield _error(exc.code, exc.message)
    except IndexUnavailableError as exc:
        error = index_unavailable(exc)
        yield _error(error.code, error.message)
    except Exception:
        log.exception("chat stream failed")
        yield _error("internal_error", "an internal error occurred")


def _event(name: str, data: BaseModel) -> bytes:
    return encode_event(name, data.model_dump_json(exclude_none=True))


def _error(code: str, message: str) -> bytes:
    return _event("error", ErrorBody(error=ErrorDetail(code=code, message=message)))
