"""Does a passage support a generated sentence? Measured thresholds, not guesses.

A claim is supported by one sentence of a passage when all of these hold:
- `cosine` of their embeddings (all-MiniLM-L6-v2) is at least `min_cosine`;
- `coverage`, the share of the claim's content words (stemmed, function words left out)
  found in that sentence, is at least `min_coverage`;
- every number in the claim occurs in that sentence, and every name (a capitalised word)
  occurs in the passage.
A claim in another script than the passage (a Russian answer over an English document)
cannot be matched word by word; it needs the multilingual embedder's cosine to reach
`min_cosine_multilingual`, and its numbers to occur in the sentence.

The thresholds come from `python -m bench.tuning.support_threshold --squad-v1 dev-v1.1.json`
(600 questions, seed 0; the method is in that script's docstring): the pair that accepts
the most claims supported by their paragraph while accepting at most 5% of each kind of
unsupported claim. English: 59.5% of the claims built from a question and its answer are
accepted against the paragraph that holds it (a lower bound: SQuAD questions paraphrase
their source), against 0.3% of the same claims on other paragraphs of the article, 0.0% on
other articles, and 4.9% of claims carrying a wrong answer on the right paragraph. The
thresholds used before this measurement (0.5, 0.5) accepted 74.8% but also 13.2% of the
wrong answers. Multilingual (Russian and Kazakh questions of tests/data): the line keeps
near-topic acceptance at 5.9% and accepts only 4.4% of the supported claims, so a generated
answer in another language than the documents mostly falls back to the extractive answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import Stemmer

from index.embedders.base import Embedder, Vectors
from index.snapshots.snapshot import (
    MULTILINGUAL_SENTENCE_VECTORS,
    SENT_HI,
    SENT_LO,
    Snapshot,
)
from index.text.language import dominant_script


@dataclass(frozen=True, slots=True)
class SupportThresholds:
    min_cosine: float = 0.475
    min_coverage: float = 0.65
    min_cosine_multilingual: float = 0.875


MEASURED = SupportThresholds()
# Passages whose sentence vectors a checker keeps; a generated answer cites a handful.
_EMBEDDED_CHUNKS = 256


class Verdict(NamedTuple):
    """A claim against one sentence."""

    cosine: float
    coverage: float
    numbers_ok: bool
    names_ok: bool
    supported: bool


@dataclass(frozen=True, slots=True)
class Support:
    """The sentence of one passage that best supports a claim, and whether it does."""

    chunk_row: int
    sentence_row: int
    cosine: float
    coverage: float
    numbers_ok: bool
    names_ok: bool
    supported: bool


class SupportChecker:
    """Scores a claim against the sentences of the passages it cites."""

    def __init__(
        self,
        embedder: Embedder,
        multilingual: Embedder | None = None,
        thresholds: SupportThresholds = MEASURED,
    ) -> None:
        self.embedder = embedder
        self.multilingual = multilingual
        self.thresholds = thresholds
        # Sentence vectors of recently checked passages, by (snapshot id, chunk row).
        self._embedded: dict[tuple[str, int], Vectors] = {}

    def check(self, snapshot: Snapshot, claim: str, chunk_rows: Sequence[int]) -> list[Support]:
        """The best sentence of each passage (chunk row) for `claim`, in the given order."""
        script = dominant_script(claim)
        vectors: dict[bool, Vectors] = {}
        supports = []
        for row in chunk_rows:
            cross_script = self._cross_script(snapshot, script, row)
            if cross_script not in vectors:
                embedder = (
                    self.multilingual if cross_script and self.multilingual else self.embedder
                )
                vectors[cross_script] = embedder.embed_queries([claim])[0]
            supports.append(self._best(snapshot, claim, vectors[cross_script], row, cross_script))
        return supports

    def _cross_script(self, snapshot: Snapshot, script: str | None, chunk_row: int) -> bool:
        """Is the claim in another script than the passage, and can meanings be compared?"""
        if script is None or self.multilingual is None:
            return False
        if MULTILINGUAL_SENTENCE_VECTORS not in snapshot.vectors:
            return False
        return script != dominant_script(snapshot.chunk_text(chunk_row))

    def _best(
        self, snapshot: Snapshot, claim: str, vector: Vectors, chunk_row: int, cross_script: bool
    ) -> Support:
        lo, hi = int(snapshot.chunks[chunk_row, SENT_LO]), int(snapshot.chunks[chunk_row, SENT_HI])
        rows = range(lo, hi)
        texts = [snapshot.sentence_text(row) for row in rows]
        if cross_script:
            table = snapshot.vectors[MULTILINGUAL_SENTENCE_VECTORS][lo:hi]
        else:
            table = self._sentence_vectors(snapshot, chunk_row, texts)
        cosines = table @ vector
        passage = snapshot.chunk_text(chunk_row)
        scored = [
            self.judge(claim, text, float(cos), cross_script, passage)
            for text, cos in zip(texts, cosines, strict=True)
        ]
        best = max(
            range(len(scored)), key=lambda i: (scored[i].supported, scored[i].cosine), default=None
        )
        if best is None:
            return Support(chunk_row, -1, 0.0, 0.0, False, False, False)
        return Support(chunk_row, rows[best], *scored[best])

    def _sentence_vectors(self, snapshot: Snapshot, chunk_row: int, texts: list[str]) -> Vectors:
        """The sentences as written, embedded by the main embedder. The index's own sentence
        vectors read each sentence after its document's title
        (index.building.encode.titled), which helps ranking but pulls a sentence toward its
        document's topic, away from a claim of one fact: under a long title, "CASIE 2022
        gathered around 60 experts." fell below `min_cosine` against the sentence that says
        so."""
        key = (snapshot.snapshot_id, chunk_row)
        vectors = self._embedded.get(key)
        if vectors is None:
            if len(self._embedded) >= _EMBEDDED_CHUNKS:
                self._embedded.clear()
            vectors = self._embedded[key] = self.embedder.embed_documents(texts)
        return vectors

    def judge(
        self,
        claim: str,
        sentence: str,
        cosine: float,
        cross_script: bool = False,
        passage: str | None = None,
    ) -> Verdict:
        """How `claim` fares against one sentence of `passage`, given their embeddings'
        cosine. The claim's names must occur in the passage (the sentence may say "she")."""
        t = self.thresholds
        numbers_ok = numbers(claim) <= numbers(sentence)
        if cross_script:
            supported = numbers_ok and cosine >= t.min_cosine_multilingual
            return Verdict(cosine, 0.0, numbers_ok, True, supported)
        cover = coverage(claim, sentence)
        names_ok = names(claim) <= words(passage or sentence)
        supported = numbers_ok and names_ok and cosine >= t.min_cosine and cover >= t.min_coverage
        return Verdict(cosine, cover, numbers_ok, names_ok, supported)


# Function words: they carry no fact, so a claim need not share them with its source.
# Negations and numerals are kept on purpose: "not held" must not match "held".
_FUNCTION_WORDS = frozenset(
    """
    a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into
    is it its itself just let me more most my myself of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up upon very was
    we were what when where which while who whom whose why will with would you your yours
    yourself yourselves according passage passages document documents source sources text
    mentioned mentions states stated say says said called named
    """.split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_TOKEN = re.compile(r"[^\W_][\w'’-]*")
_POSSESSIVE = re.compile(r"['’]s?$")


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def content_words(text: str) -> set[str]:
    """Stemmed, lower-cased words of `text` without function words."""
    words = [w for w in _WORD.findall(text.lower()) if w not in _FUNCTION_WORDS]
    return set(_stemmer().stemWords(words))


def numbers(text: str) -> set[str]:
    """The numbers in `text`, thousands separators removed ("2,000" == "2000")."""
    return {re.sub(r"(?<=\d),(?=\d{3}\b)", "", n) for n in _NUMBER.findall(text)}


def names(text: str) -> set[str]:
    """Lower-cased words written with a capital (names, acronyms), possessives cut; a
    capitalised first word counts only when more than its first letter is upper case."""
    found = set()
    for i, match in enumerate(_TOKEN.finditer(text)):
        word = match.group()
        if not word[0].isupper() or (i == 0 and not any(c.isupper() for c in word[1:])):
            continue
        found.add(_POSSESSIVE.sub("", word).lower())
    return found


def words(text: str) -> set[str]:
    """Lower-cased words of `text`, hyphenated ones whole and in parts."""
    tokens = {m.group().lower() for m in _TOKEN.finditer(text)}
    return tokens | {part for token in tokens for part in token.split("-")}


def coverage(claim: str, sentence: str) -> float:
    """Share of the claim's content words that occur in `sentence` (0.0 when it has none)."""
    words = content_words(claim)
    if not words:
        return 0.0
    return len(words & content_words(sentence)) / len(words)
