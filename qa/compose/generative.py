"""The generative composer: a chat model writes, the sentence gate checks, extractive backs up.

Below the abstention threshold it abstains as the extractive composer does, without asking
the model. Otherwise the top passages go into the prompt (qa.compose.prompt), the output
streams through the sentence gate (qa.compose.sentence_gate), and only supported sentences
with renumbered citations are released. A timeout or an error keeps the sentences already
released; when none was, the extractive answer stands in, with `fallback: true` and the
reason. `compose` drains `stream`, so both return the same answer for the same output.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from qa.compose.base import Evidence
from qa.compose.extractive import ExtractiveComposer
from qa.compose.prompt import PromptPassage, build_messages
from qa.compose.sentence_gate import GateReport, SentenceGate
from qa.compose.support import SupportChecker
from qa.llm.client import ChatClient, LLMError
from qa.streaming import AnswerDone, StreamEvent
from qa.types import Answer

log = logging.getLogger(__name__)

TIMEOUT, ERROR, EMPTY, DECLINED, UNSUPPORTED = (
    "llm_timeout",
    "llm_error",
    "llm_empty",
    "llm_declined",
    "unsupported",
)


@dataclass
class Generation:
    """One answer's events (consume them first), then what happened on the way."""

    events: Iterator[StreamEvent]
    report: GateReport = field(default_factory=GateReport)
    output: str = ""
    failure: str | None = None
    fallback_reason: str | None = None
    first_token_ms: float | None = None
    total_ms: float | None = None

    @property
    def timings_ms(self) -> dict[str, float]:
        """`llm_first_token` and `llm` (the whole generation), when the model was asked."""
        timings = {"llm_first_token": self.first_token_ms, "llm": self.total_ms}
        return {k: v for k, v in timings.items() if v is not None}


class GenerativeComposer:
    def __init__(
        self,
        client: ChatClient,
        extractive: ExtractiveComposer,
        checker: SupportChecker,
        passages: int = 4,
    ) -> None:
        self.client = client
        self.extractive = extractive
        self.checker = checker
        self.passages = passages

    def compose(self, evidence: Evidence) -> Answer:
        answer: Answer | None = None
        for event in self.stream(evidence):
            if isinstance(event, AnswerDone):
                answer = event.answer
        assert answer is not None
        return answer

    def stream(self, evidence: Evidence) -> Iterator[StreamEvent]:
        return self.generate(evidence).events

    def generate(self, evidence: Evidence) -> Generation:
        generation = Generation(events=iter(()))
        generation.events = self._events(evidence, generation)
        return generation

    def _events(self, evidence: Evidence, generation: Generation) -> Iterator[StreamEvent]:
        if not self.extractive.select(evidence):
            yield from self.extractive.stream(evidence)  # abstains; the model is not asked
            return
        rows = [c.row for c in evidence.candidates[: self.passages]]
        gate = SentenceGate(evidence.snapshot, rows, self.checker)
        generation.report = gate.report
        yield from self._generated(evidence, rows, gate, generation)
        if gate.citations:
            yield AnswerDone(
                Answer(
                    answer=gate.answer,
                    abstained=False,
                    citations=list(gate.citations),
                    confidence=self._confidence(evidence),
                    timings_ms=generation.timings_ms,
                    fallback=False,
                )
            )
            return
        reason = generation.failure or _empty_reason(generation, gate.report)
        generation.fallback_reason = reason
        log.info("generated answer fell back to extractive: %s", reason)
        for event in self.extractive.stream(evidence):
            if isinstance(event, AnswerDone):
                update = {
                    "fallback": True,
                    "fallback_reason": reason,
                    "timings_ms": {**event.answer.timings_ms, **generation.timings_ms},
                }
                event = AnswerDone(event.answer.model_copy(update=update))
            yield event

    def _generated(
        self, evidence: Evidence, rows: list[int], gate: SentenceGate, generation: Generation
    ) -> Iterator[StreamEvent]:
        snapshot = evidence.snapshot
        passages = [
            PromptPassage(n, snapshot.chunk_document(row).title, snapshot.chunk_text(row))
            for n, row in enumerate(rows, start=1)
        ]
        started = time.perf_counter()
        finish: str | None = None
        output: list[str] = []
        deltas = self.client.stream(build_messages(evidence.question, passages))
        try:
            for delta in deltas:
                if generation.first_token_ms is None and delta.text:
                    generation.first_token_ms = round((time.perf_counter() - started) * 1000, 1)
                output.append(delta.text)
                finish = delta.finish_reason or finish
                yield from gate.feed(delta.text)
        except LLMError as exc:
            generation.failure = exc.reason
            log.warning("the chat model failed (%s): %s", exc.reason, exc)
        else:
            yield from gate.finish(truncated=finish == "length")
        finally:
            deltas.close()  # a reader that left early frees the model at once
        generation.output = "".join(output)
        generation.total_ms = round((time.perf_counter() - started) * 1000, 1)
        log.debug("gate %s on output %r", gate.report, generation.output)

    def _confidence(self, evidence: Evidence) -> float:
        return self.extractive.confidence(evidence.sentences[0], evidence)


def _empty_reason(generation: Generation, report: GateReport) -> str:
    if not generation.output.strip():
        return EMPTY
    if report.declined and not report.removed["unsupported"]:
        return DECLINED
    return UNSUPPORTED
