"""Server-side conversations for /v1/chat: opaque ids, a time-to-live and size bounds.

A conversation is the list of its (role, content) turns. It lives for `ttl_seconds` after
its last use; the store holds at most `max_conversations` (the least recently used goes
first) and each keeps its last `max_turns` turns. Ids are random and carry no data, so a
client cannot guess another's conversation or choose its own id.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Turns = list[tuple[str, str]]


class ConversationSettings(BaseSettings):
    """Conversations the server keeps for /v1/chat (`CITEQA_CONVERSATION_*`)."""

    model_config = SettingsConfigDict(env_prefix="CITEQA_CONVERSATION_", extra="ignore")

    ttl_seconds: float = Field(
        default=1800, gt=0, description="Seconds a conversation is kept after its last use."
    )
    max_conversations: int = Field(
        default=10_000, ge=1, description="Conversations kept; the least recently used goes first."
    )
    max_turns: int = Field(default=20, ge=2, description="Turns kept per conversation.")


@dataclass
class _Conversation:
    turns: Turns = field(default_factory=list)
    expires: float = 0.0


class ConversationStore:
    """Thread-safe, in-memory, bounded; expired conversations are dropped as they are met."""

    def __init__(
        self,
        settings: ConversationSettings | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or ConversationSettings()
        self._clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[str, _Conversation] = OrderedDict()

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._items)

    def start(self, turns: Sequence[tuple[str, str]] = ()) -> str:
        """A new conversation holding `turns` (the last `max_turns` of them); its id."""
        conversation_id = secrets.token_urlsafe(18)
        with self._lock:
            self._expire()
            while len(self._items) >= self.settings.max_conversations:
                self._items.popitem(last=False)
            self._items[conversation_id] = _Conversation(
                list(turns)[-self.settings.max_turns :], self._deadline()
            )
        return conversation_id

    def turns(self, conversation_id: str) -> Turns | None:
        """The turns so far, or None when the id is unknown or has expired."""
        with self._lock:
            self._expire()
            conversation = self._items.get(conversation_id)
            if conversation is None:
                return None
            self._touch(conversation_id, conversation)
            return list(conversation.turns)

    def append(self, conversation_id: str, question: str, answer: str) -> bool:
        """Record one exchange; False when the conversation has gone meanwhile."""
        with self._lock:
            conversation = self._items.get(conversation_id)
            if conversation is None:
                return False
            conversation.turns += [("user", question), ("assistant", answer)]
            del conversation.turns[: -self.settings.max_turns]
            self._touch(conversation_id, conversation)
            return True

    def _touch(self, conversation_id: str, conversation: _Conversation) -> None:
        conversation.expires = self._deadline()
        self._items.move_to_end(conversation_id)

    def _deadline(self) -> float:
        return self._clock() + self.settings.ttl_seconds

    def _expire(self) -> None:
        """Least recently used first, so expired ones sit at the front."""
        now = self._clock()
        while self._items:
            oldest = next(iter(self._items.values()))
            if oldest.expires > now:
                break
            self._items.popitem(last=False)
