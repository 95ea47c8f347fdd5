"""The gate between a model and the reader: only checked sentences get through.

Generated text is held until a sentence is complete (the next sentence has begun, or the
output has ended), so markers written after the full stop ("... 2022. [1] The ...") still
count for their sentence. Each complete sentence is then:
1. parsed for markers of any shape (qa.compose.markers); numbers of passages that were not
   given are dropped;
2. checked against each passage it cites (qa.compose.support); a sentence without a
   valid marker is checked against all passages and cited to the best one that supports it;
3. released with the supporting passages as citations: each citation quotes the sentence
   of its passage's document that best supports the claim, and the markers are renumbered
   `[1]..[n]` in order of first appearance; or dropped, with the reason counted.
No text leaves before it is checked, so no unsupported sentence, raw marker or dangling
number ever reaches a client, streamed or not.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from index.snapshots.snapshot import Snapshot
from index.text.sentences import split_sentences
from index.types import Span
from qa.compose.citations import make_citation
from qa.compose.markers import find_markers, strip_markers
from qa.compose.support import Support, SupportChecker
from qa.streaming import AnswerDelta, CitationEvent, StreamEvent
from qa.types import NOT_FOUND, Citation

_BULLET = re.compile(r"^(?:[-*•]|\d{1,2}[.)])\s+")
_LABEL = re.compile(r"^(?:answer|response|ответ|жауап)\s*:\s*", re.IGNORECASE)
_CONTENT = re.compile(r"\w")
_FINAL_PUNCTUATION = re.compile(r"[.!?。！？…][\"'”’»)\]]*$")


@dataclass
class GateReport:
    """What the gate did with one model output."""

    sentences: int = 0
    kept: int = 0
    removed: Counter[str] = field(default_factory=Counter)
    dropped_markers: int = 0
    attributed: int = 0
    declined: bool = False


class SentenceGate:
    """Feeds on generated text; returns the events of the sentences that pass."""

    def __init__(
        self, snapshot: Snapshot, passages: Sequence[int], checker: SupportChecker
    ) -> None:
        self.snapshot = snapshot
        self.passages = list(passages)  # chunk row of passage n is passages[n - 1]
        self.checker = checker
        self.report = GateReport()
        self.citations: list[Citation] = []
        self._text: list[str] = []
        self._numbers: dict[tuple[str, int, int], int] = {}
        self._seen: set[str] = set()
        self._buffer = ""

    @property
    def answer(self) -> str:
        return " ".join(self._text)

    def feed(self, text: str) -> list[StreamEvent]:
        """Add generated text; events for every sentence it completes."""
        self._buffer += text
        units = _units(self._buffer)
        if len(units) < 2:
            return []
        complete, held = units[:-1], units[-1]
        events = [e for unit in complete for e in self._release(self._buffer[unit[0] : unit[1]])]
        self._buffer = self._buffer[held[0] :]
        return events

    def finish(self, *, truncated: bool = False) -> list[StreamEvent]:
        """Events for what remains; a `truncated` output's last unfinished sentence is cut."""
        units = _units(self._buffer)
        raw = [self._buffer[s:e] for s, e in units]
        self._buffer = ""
        last = strip_markers(raw[-1]) if raw else ""
        if truncated and _CONTENT.search(last) and not _FINAL_PUNCTUATION.search(last):
            raw.pop()
            self.report.sentences += 1
            self.report.removed["truncated"] += 1
        return [e for text in raw for e in self._release(text)]

    def _release(self, raw: str) -> list[StreamEvent]:
        claim = _LABEL.sub("", _BULLET.sub("", strip_markers(raw)))
        if not _CONTENT.search(claim):
            return []
        if not _FINAL_PUNCTUATION.search(claim):
            claim += "."  # a list item or a line without its full stop
        self.report.sentences += 1
        key = _normalised(claim)
        if key == _normalised(NOT_FOUND):
            self.report.declined = True
            self.report.removed["declined"] += 1
            return []
        if key in self._seen:
            self.report.removed["duplicate"] += 1
            return []
        supports = self._supports(claim, [n for m in find_markers(raw) for n in m.numbers])
        if not supports:
            self.report.removed["unsupported"] += 1
            return []
        self._seen.add(key)
        self.report.kept += 1
        return self._emit(claim, supports)

    def _supports(self, claim: str, numbers: list[int]) -> list[Support]:
        named = list(dict.fromkeys(numbers))
        valid = [n for n in named if 1 <= n <= len(self.passages)]
        self.report.dropped_markers += len(named) - len(valid)
        if valid:
            checked = self.checker.check(
                self.snapshot, claim, [self.passages[n - 1] for n in valid]
            )
            return [s for s in checked if s.supported]
        checked = self.checker.check(self.snapshot, claim, self.passages)
        best = max((s for s in checked if s.supported), key=lambda s: s.cosine, default=None)
        if best is None:
            return []
        self.report.attributed += 1
        return [best]

    def _emit(self, claim: str, supports: list[Support]) -> list[StreamEvent]:
        numbers: list[int] = []
        new: list[Citation] = []
        for support in supports:
            citation = self._citation(support)
            if citation.n not in numbers:
                numbers.append(citation.n)
            if citation.n > len(self.citations):
                self.citations.append(citation)
                new.append(citation)
        text = claim + " " + "".join(f"[{n}]" for n in numbers)
        delta: list[StreamEvent] = [AnswerDelta(("" if not self._text else " ") + text)]
        self._text.append(text)
        return delta + [CitationEvent(c) for c in new]

    def _citation(self, support: Support) -> Citation:
        doc_row, start, end = (int(v) for v in self.snapshot.sentences[support.sentence_row])
        key = (self.snapshot.documents[doc_row].doc_id, start, end)
        n = self._numbers.setdefault(key, len(self._numbers) + 1)
        if n <= len(self.citations):
            return self.citations[n - 1]
        return make_citation(self.snapshot, n, support.chunk_row, start, end, support.cosine)


def _units(buffer: str) -> list[tuple[int, int]]:
    """Sentence spans of `buffer`; markers that open a piece belong to the sentence before."""
    units: list[list[int]] = []
    for span in split_sentences(buffer):
        lead = _leading_markers(buffer, span)
        if lead > span.start and units:
            units[-1][1] = lead
            rest = buffer[lead : span.end]
            if _CONTENT.search(strip_markers(rest, final=False)):
                units.append([lead + len(rest) - len(rest.lstrip()), span.end])
        else:
            units.append([span.start, span.end])
    return [(s, e) for s, e in units]


def _leading_markers(text: str, span: Span) -> int:
    """The end of the run of markers that opens `text[span]` (span.start when none)."""
    position = span.start
    for marker in find_markers(text[span.start : span.end]):
        start = span.start + marker.start
        if text[position:start].strip():
            break
        position = span.start + marker.end
    return position


def _normalised(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))
