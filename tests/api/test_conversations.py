"""The server-side conversation store: ids, time-to-live, bounds in count and bytes, threads."""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

import httpx
from httpx_sse import connect_sse

from api.app import create_app
from api.conversations import ConversationSettings, ConversationStore
from api.settings import ApiSettings
from qa.pipeline import QAPipeline
from tests.conftest import LiveServer


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def store(clock: Clock, **settings: Any) -> ConversationStore:
    return ConversationStore(ConversationSettings(**settings), clock=clock)


def test_turns_are_kept_and_ids_are_opaque() -> None:
    conversations = store(Clock())
    first = conversations.start([("user", "Hi"), ("assistant", "Hello")])
    second = conversations.start()
    assert first != second
    assert len(first) >= 20
    assert conversations.append(first, "Who presented IIOE?", "Ms. Li Fan [1]")
    assert conversations.turns(first) == [
        ("user", "Hi"),
        ("assistant", "Hello"),
        ("user", "Who presented IIOE?"),
        ("assistant", "Ms. Li Fan [1]"),
    ]
    assert conversations.turns(second) == []
    assert conversations.turns("made-up") is None
    assert not conversations.append("made-up", "q", "a")


def test_conversations_expire_after_their_time_to_live_since_last_use() -> None:
    clock = Clock()
    conversations = store(clock, ttl_seconds=60)
    kept, dropped = conversations.start(), conversations.start()
    clock.now = 50
    assert conversations.turns(kept) == []  # a use extends the life
    clock.now = 100
    assert conversations.turns(kept) == []
    assert conversations.turns(dropped) is None
    assert len(conversations) == 1


def test_the_least_recently_used_goes_when_full() -> None:
    conversations = store(Clock(), max_conversations=2)
    a, b = conversations.start(), conversations.start()
    conversations.turns(a)
    c = conversations.start()
    assert conversations.turns(b) is None
    assert conversations.turns(a) == []
    assert conversations.turns(c) == []


def test_a_conversation_keeps_its_last_turns() -> None:
    conversations = store(Clock(), max_turns=4)
    conversation = conversations.start([("user", str(i)) for i in range(10)])
    assert conversations.turns(conversation) == [("user", str(i)) for i in range(6, 10)]
    conversations.append(conversation, "q", "a")
    assert conversations.turns(conversation) == [
        ("user", "8"),
        ("user", "9"),
        ("user", "q"),
        ("assistant", "a"),
    ]


def test_concurrent_use_is_safe() -> None:
    conversations = store(Clock(), max_conversations=50, max_turns=4000, max_bytes_each=1 << 20)
    shared = conversations.start()

    def work() -> None:
        for i in range(200):
            conversations.start()
            conversations.append(shared, f"q{i}", "a")
            conversations.turns(shared)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(conversations) <= 50
    turns = conversations.turns(shared)
    assert turns is not None
    assert len(turns) == 8 * 200 * 2


def stored_bytes(conversations: ConversationStore, ids: list[str]) -> int:
    """Memory held by the turns' texts of the conversations still stored."""
    return sum(
        sys.getsizeof(content)
        for conversation_id in ids
        for _, content in conversations.turns(conversation_id) or []
    )


def big_history(turns: int = 20, chars: int = 20_000) -> list[tuple[str, str]]:
    return [
        ("user" if i % 2 == 0 else "assistant", (f"{i} " + "x" * chars)[:chars])
        for i in range(turns)
    ]


def test_a_conversation_keeps_only_its_latest_turns_that_fit() -> None:
    conversations = store(Clock(), max_bytes_each=64 * 1024)
    conversation = conversations.start(big_history())
    turns = conversations.turns(conversation)
    assert turns is not None
    assert stored_bytes(conversations, [conversation]) <= 64 * 1024
    assert turns == big_history()[-len(turns) :]  # the latest ones, in order
    conversations.append(conversation, "q" * 40_000, "a" * 40_000)
    assert stored_bytes(conversations, [conversation]) <= 64 * 1024
    assert conversations.turns(conversation) == [("assistant", "a" * 40_000)]


def test_the_store_is_bounded_in_bytes_not_only_in_count() -> None:
    conversations = store(Clock(), max_bytes=1 << 20, max_new_bytes=1 << 20)
    ids = [conversations.start(big_history(turns=6, chars=10_000)) for _ in range(200)]
    assert stored_bytes(conversations, ids) <= 1 << 20
    assert conversations.turns(ids[-1]) == big_history(turns=6, chars=10_000)
    assert conversations.turns(ids[0]) is None


def test_new_conversations_cannot_push_out_those_in_use() -> None:
    conversations = store(Clock(), max_bytes=2 << 20, max_new_bytes=512 * 1024)
    in_use = conversations.start([("user", "Who presented IIOE?")])
    assert conversations.turns(in_use) is not None  # continued by its id: in use
    conversations.append(in_use, "What position does she hold?", "Director [1]")
    flood = [conversations.start(big_history(turns=4, chars=10_000)) for _ in range(500)]
    assert stored_bytes(conversations, flood) <= 512 * 1024
    assert conversations.turns(in_use) == [
        ("user", "Who presented IIOE?"),
        ("user", "What position does she hold?"),
        ("assistant", "Director [1]"),
    ]


def test_anonymous_chats_over_http_stay_within_the_byte_bound(pipeline: QAPipeline) -> None:
    """The issue's reproduction: chats without a conversation_id, each with 20 turns of
    20,000 characters, used to be kept whole for 30 minutes."""
    app = create_app(ApiSettings(rate_limit="0"), pipeline=pipeline)
    app.state.conversations = ConversationStore(ConversationSettings(max_new_bytes=2 << 20))
    history = [{"role": role, "content": content} for role, content in big_history()]
    ids = []
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=120) as client:
        for _ in range(30):
            body = {"question": "What is IIOE?", "history": history}
            with connect_sse(client, "POST", "/v1/chat", json=body) as source:
                assert source.response.status_code == 200
                events = [(event.event, json.loads(event.data)) for event in source.iter_sse()]
            assert events[-1][0] == "done"
            ids.append(events[0][1]["conversation_id"])
    assert stored_bytes(app.state.conversations, ids) <= 2 << 20
