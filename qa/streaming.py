"""Events of a streamed answer, shared by every composer and the chat endpoints.

A stream is: any number of `AnswerDelta` (text as it is produced) and `CitationEvent`
(one per citation, sent once its marker has appeared in the text), then one
`AnswerDone` whose answer equals what the non-streaming call returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.types import Answer, Citation


@dataclass(frozen=True, slots=True)
class AnswerDelta:
    text: str


@dataclass(frozen=True, slots=True)
class CitationEvent:
    citation: Citation


@dataclass(frozen=True, slots=True)
class AnswerDone:
    answer: Answer


StreamEvent = AnswerDelta | CitationEvent | AnswerDone
