"""A chat model behind a deadline: streamed text in, typed failures out."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage


class LLMError(RuntimeError):
    """The model failed; `reason` is a short code for logs and answers."""

    reason = "llm_error"


class LLMTimeoutError(LLMError):
    reason = "llm_timeout"


@dataclass(frozen=True, slots=True)
class Delta:
    """A piece of generated text; `finish_reason` on the last one when the model says it."""

    text: str
    finish_reason: str | None = None


class ChatClient:
    """Streams a LangChain chat model's answer within `timeout` seconds.

    An in-process model is not safe to call from two threads at once: with `serialize`,
    calls take turns, and the wait counts against the deadline.
    """

    def __init__(
        self, model: BaseChatModel, *, timeout: float, serialize: bool = False, name: str = ""
    ) -> None:
        self.model = model
        self.timeout = timeout
        self.name = name or model._llm_type
        self._lock = threading.Lock() if serialize else None

    def stream(self, messages: Sequence[BaseMessage]) -> Generator[Delta, None, None]:
        deadline = time.monotonic() + self.timeout
        with self._turn(deadline):
            chunks = self.model.stream(list(messages))
            try:
                for chunk in chunks:
                    if time.monotonic() > deadline:
                        raise LLMTimeoutError(f"no complete answer within {self.timeout:g} s")
                    text = chunk.content if isinstance(chunk.content, str) else chunk.text
                    finish = chunk.response_metadata.get("finish_reason")
                    if text or finish:
                        yield Delta(text, finish)
            except LLMError:
                raise
            except Exception as exc:  # any failure of the model or its transport
                if _is_timeout(exc):
                    raise LLMTimeoutError(f"{type(exc).__name__}: {exc}") from exc
                raise LLMError(f"{type(exc).__name__}: {exc}") from exc
            finally:
                if isinstance(chunks, Generator):
                    chunks.close()

    @contextmanager
    def _turn(self, deadline: float) -> Iterator[None]:
        if self._lock is None:
            yield
            return
        if not self._lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise LLMTimeoutError("the local model stayed busy past the deadline")
        try:
            yield
        finally:
            self._lock.release()


def _is_timeout(exc: BaseException) -> bool:
    names = {type(e).__name__ for e in _chain(exc)}
    return bool(names & {"APITimeoutError", "TimeoutException", "ReadTimeout", "TimeoutError"})


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    for _ in range(8):  # causes can, rarely, form a cycle
        if exc is None:
            return
        yield exc
        exc = exc.__cause__ or exc.__context__
