"""The server-side conversation store: ids, time-to-live, bounds, threads."""

from __future__ import annotations

import threading
from typing import Any

from api.conversations import ConversationSettings, ConversationStore


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
    conversations = store(Clock(), max_conversations=50, max_turns=4000)
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
