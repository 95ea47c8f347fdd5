"""Stage timings and abstentions of every answer, whichever endpoint asked for it.

Every answer (ask, chat, streaming or not) is composed by the pipeline's composer, so a
decorator around it sees them all: the evidence carries the retrieval and rerank
timings, and the decorator times the composition itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from api.observability.metrics import Metrics
from qa.compose.base import Composer, Evidence
from qa.pipeline import QAPipeline
from qa.streaming import AnswerDone, StreamEvent
from qa.types import Answer


class ObservedComposer:
    """A Composer that reports to `metrics` and otherwise does what `inner` does."""

    def __init__(self, inner: Composer, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    def __getattr__(self, name: str) -> Any:
        """Anything else (settings, helpers) is the inner composer's."""
        if name in ("inner", "metrics"):  # not set yet (copying): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)

    def compose(self, evidence: Evidence) -> Answer:
        started = time.perf_counter()
        answer = self.inner.compose(evidence)
        self._record(evidence, answer, time.perf_counter() - started)
        return answer

    def stream(self, evidence: Evidence) -> Iterator[StreamEvent]:
        started = time.perf_counter()
        for event in self.inner.stream(evidence):
            if isinstance(event, AnswerDone):
                self._record(evidence, event.answer, time.perf_counter() - started)
            yield event

    def _record(self, evidence: Evidence, answer: Answer, seconds: float) -> None:
        timings = {**evidence.timings_ms, "compose": seconds * 1000}
        self.metrics.observe_answer(timings, answer.abstained)


def observe_answers(pipeline: QAPipeline, metrics: Metrics) -> None:
    """Report `pipeline`'s answers to `metrics` (replacing an earlier observer)."""
    composer = pipeline.composer
    if isinstance(composer, ObservedComposer):
        composer = composer.inner
    pipeline.composer = ObservedComposer(composer, metrics)
