"""Blocking iterators (a pipeline's answer stream) consumed from the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Iterator
from typing import TypeVar, cast

from starlette.concurrency import run_in_threadpool

T = TypeVar("T")

_running: set[asyncio.Task[None]] = set()


async def iterate_in_thread(iterator: Iterator[T]) -> AsyncGenerator[T, None]:
    """Yield the items of `iterator`, which runs in the threadpool, as they come.

    When the consumer stops early (the client went away), the worker notices after the
    step in progress and closes `iterator` in its own thread, so no further work is
    done and the iterator's clean-up runs at once.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[bool, T | BaseException | None]] = asyncio.Queue()
    stop = threading.Event()

    def put(done: bool, value: T | BaseException | None) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, (done, value))
        except RuntimeError:  # the loop has closed: nobody is listening any more
            stop.set()

    def work() -> None:
        try:
            for item in iterator:
                if stop.is_set():
                    break
                put(False, item)
        except BaseException as exc:
            put(True, exc)
        else:
            put(True, None)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    task = asyncio.create_task(run_in_threadpool(work))
    _running.add(task)
    task.add_done_callback(_running.discard)
    try:
        while True:
            done, value = await queue.get()
            if done:
                if isinstance(value, BaseException):
                    raise value
                return
            yield cast(T, value)
    finally:
        stop.set()
