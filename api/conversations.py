"""Server-side conversations for /v1/chat: opaque ids, a time-to-live and size bounds.

A conversation is the list of its (role, content) turns. It lives for `ttl_seconds` after
its last use. Bounds, each a setting:

- each conversation keeps its latest turns, at most `max_turns` of them and at most
  `max_bytes_each` bytes of text (older turns go first; a turn that alone is larger is
  not kept);
- the store holds at most `max_conversations` conversations and `max_bytes` bytes of text;
- a conversation is *new* until a request continues it by its id. Every chat sent without
  an id starts one, so new conversations together may hold at most `max_new_bytes`: past
  that the oldest new one goes, and a flood of one-off chats can neither pin memory nor
  push out the conversations people are having.

When the store is full, the least recently used conversation goes, new ones first. Bytes
are the memory of the turns' texts (`sys.getsizeof`). Ids are random and carry no data, so
a client cannot guess another's conversation or choose its own id.
"""

from __future__ import annotations

import secrets
import sys
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
    max_bytes: int = Field(
        default=64 << 20, ge=1 << 16, description="Text held by all conversations."
    )
    max_new_bytes: int = Field(
        default=16 << 20,
        ge=1 << 16,
        description="Text held by conversations not yet continued by their id.",
    )
    max_bytes_each: int = Field(
        default=64 << 10, ge=1 << 10, description="Text kept per conversation (latest turns)."
    )


@dataclass
class _Conversation:
    turns: Turns = field(default_factory=list)
    expires: float = 0.0
    size: int = 0


def text_bytes(turns: Sequence[tuple[str, str]]) -> int:
    """Memory held by the turns' texts."""
    return sum(sys.getsizeof(content) for _, content in turns)


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
        # Least recently used first; a conversation moves from `_new` to `_resumed` when a
        # request continues it by its id.
        self._new: OrderedDict[str, _Conversation] = OrderedDict()
        self._resumed: OrderedDict[str, _Conversation] = OrderedDict()
        self._new_bytes = 0
        self._resumed_bytes = 0

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._new) + len(self._resumed)

    @property
    def stored_bytes(self) -> int:
        """Text held by all conversations."""
        with self._lock:
            return self._new_bytes + self._resumed_bytes

    def start(self, turns: Sequence[tuple[str, str]] = ()) -> str:
        """A new conversation holding the latest of `turns` that fit; its id."""
        conversation_id = secrets.token_urlsafe(18)
        kept = self._latest(list(turns))
        with self._lock:
            self._expire()
            conversation = _Conversation(kept, self._deadline(), text_bytes(kept))
            self._new[conversation_id] = conversation
            self._new_bytes += conversation.size
            self._evict()
        return conversation_id

    def turns(self, conversation_id: str) -> Turns | None:
        """The turns so far, or None when the id is unknown or has expired. Asking by id
        continues the conversation: it is no longer new."""
        with self._lock:
            self._expire()
            conversation = self._new.pop(conversation_id, None)
            if conversation is not None:
                self._new_bytes -= conversation.size
                self._resumed[conversation_id] = conversation
                self._resumed_bytes += conversation.size
            conversation = self._resumed.get(conversation_id)
            if conversation is None:
                return None
            self._touch(conversation_id, conversation)
            return list(conversation.turns)

    def append(self, conversation_id: str, question: str, answer: str) -> bool:
        """Record one exchange; False when the conversation has gone meanwhile."""
        with self._lock:
            for items, new in ((self._new, True), (self._resumed, False)):
                conversation = items.get(conversation_id)
                if conversation is None:
                    continue
                turns = [*conversation.turns, ("user", question), ("assistant", answer)]
                conversation.turns = self._latest(turns)
                size = text_bytes(conversation.turns)
                if new:
                    self._new_bytes += size - conversation.size
                else:
                    self._resumed_bytes += size - conversation.size
                conversation.size = size
                self._touch(conversation_id, conversation)
                self._evict()
                return True
            return False

    def _latest(self, turns: Turns) -> Turns:
        """The latest turns within `max_turns` and `max_bytes_each`, in order."""
        kept: Turns = []
        budget = self.settings.max_bytes_each
        for turn in reversed(turns[-self.settings.max_turns :]):
            budget -= sys.getsizeof(turn[1])
            if budget < 0:
                break
            kept.append(turn)
        kept.reverse()
        return kept

    def _touch(self, conversation_id: str, conversation: _Conversation) -> None:
        conversation.expires = self._deadline()
        items = self._resumed if conversation_id in self._resumed else self._new
        items.move_to_end(conversation_id)

    def _deadline(self) -> float:
        return self._clock() + self.settings.ttl_seconds

    def _evict(self) -> None:
        """Oldest new conversations past their share, then the least recently used (new
        ones first) while the store is over its count or bytes."""
        settings = self.settings
        while self._new and self._new_bytes > settings.max_new_bytes:
            self._drop_oldest(new=True)
        while self._new or self._resumed:
            count = len(self._new) + len(self._resumed)
            if count <= settings.max_conversations and (
                self._new_bytes + self._resumed_bytes <= settings.max_bytes
            ):
                break
            self._drop_oldest(new=bool(self._new))

    def _drop_oldest(self, new: bool) -> None:
        items = self._new if new else self._resumed
        _, conversation = items.popitem(last=False)
        if new:
            self._new_bytes -= conversation.size
        else:
            self._resumed_bytes -= conversation.size

    def _expire(self) -> None:
        """Least recently used first, so expired ones sit at the front."""
        now = self._clock()
        for new, items in ((True, self._new), (False, self._resumed)):
            while items and next(iter(items.values())).expires <= now:
                self._drop_oldest(new)
