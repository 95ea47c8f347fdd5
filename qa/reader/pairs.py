"""What the reader reads: token ids of a question and a passage, and where the passage's
answer-bearing sentence lies among them.

Layout: `<s> query: QUESTION </s> passage: CONTEXT SENTENCE </s>`, where CONTEXT is what
comes before the sentence (its document's title, and the sentence before it when this one
opens with a pronoun). Answers are looked for in SENTENCE only, whose tokens carry their
character offsets. Every part has a token budget, so any input fits the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.e5.tokenizer import PASSAGE_PREFIX, QUERY_PREFIX, E5Tokenizer

MAX_QUESTION_TOKENS = 64
MAX_CONTEXT_TOKENS = 48
MAX_LENGTH = 256


@dataclass(frozen=True, slots=True)
class ReaderInput:
    """A sentence to read, and the text that precedes it for the reader (may be empty)."""

    context: str
    sentence: str


@dataclass(frozen=True, slots=True)
class EncodedPair:
    ids: list[int]
    sentence_start: int  # first token of the sentence
    offsets: list[tuple[int, int]]  # characters of the sentence, one per sentence token


class PairEncoder:
    def __init__(self, tokenizer: E5Tokenizer, max_length: int = MAX_LENGTH) -> None:
        self.tokenizer = tokenizer
        self.max_length = max_length

    def question_ids(self, question: str) -> list[int]:
        """The question's tokens, at most MAX_QUESTION_TOKENS (a longer one is cut)."""
        return self.tokenizer.encode(QUERY_PREFIX + question)[:MAX_QUESTION_TOKENS]

    def encode(self, question_ids: list[int], passage: ReaderInput) -> EncodedPair:
        tokenizer = self.tokenizer
        context = tokenizer.encode(PASSAGE_PREFIX + passage.context.strip())[:MAX_CONTEXT_TOKENS]
        sentence, offsets = tokenizer.encode_with_offsets(passage.sentence)
        room = self.max_length - len(question_ids) - len(context) - 3
        sentence, offsets = sentence[:room], offsets[:room]
        ids = [tokenizer.bos, *question_ids, tokenizer.eos, *context, *sentence, tokenizer.eos]
        return EncodedPair(ids, len(question_ids) + len(context) + 2, offsets)


_ANAPHORIC_START = re.compile(
    r"(?:He|She|It|They|This|These|Those|Its|His|Her|Their|There|Such|That)\b"
)


def reading_context(title: str, previous: str | None, sentence: str) -> str:
    """What is read before `sentence`: its document's title and, when the sentence opens
    with a pronoun ("She also revealed ..."), the sentence before it in the same document."""
    context = f"{title.strip()}."
    if previous and _ANAPHORIC_START.match(sentence):
        context = f"{context} {previous}"
    return context
