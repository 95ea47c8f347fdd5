"""Abstention thresholds, answer margins and confidence, calibrated on data by
bench/tuning/calibrate.py.

`calibration.json` records, for each scorer, the evidence score below which citeqa
abstains, the margin within which more sentences join an answer, the logistic curve that
turns its score into the probability that the answer holds the fact (the confidence users
see), how each was fitted (data, target, resulting rates) and when; and the same curve
and display line for short answers. Refit it with `python -m bench.tuning.calibrate` after
changing the models or the scoring (`python -m bench.tuning.same_language` refits the
reader in a corpus's own language); override one threshold at run time with
CITEQA_ABSTAIN_THRESHOLD (applies to the cross-encoder).

Scorers: the English cross-encoder; the English embedder's cosine (reranking off); the
multilingual embedder's cosine (no reader); and the multilingual reader, calibrated apart
for a question in another language than the documents (`reader`) and in the same one
(`reader_same_language`, Russian over Russian, Kazakh over Kazakh), whose scores differ.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

CROSS_ENCODER = "cross_encoder"
COSINE = "cosine"
COSINE_MULTILINGUAL = "cosine_multilingual"
READER = "reader"
READER_SAME_LANGUAGE = "reader_same_language"
SCORERS = (CROSS_ENCODER, COSINE, COSINE_MULTILINGUAL, READER, READER_SAME_LANGUAGE)


@dataclass(frozen=True, slots=True)
class Logistic:
    """probability = sigmoid(slope * score + intercept)."""

    slope: float
    intercept: float

    def probability(self, score: float) -> float:
        return sigmoid(self.slope * score + self.intercept)


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@dataclass(frozen=True, slots=True)
class SpanCalibration:
    """A short answer's score: the probability that its words are the answer, a logistic
    fit over the log-odds of the reader's span mass (qa.reader.reader.Span), the log-odds of
    the answer's confidence (a sure span of a sentence that likely misses the fact is likely
    wrong) and the log of the span's length in words (long spans are more often wrong); it
    is shown from `min_score` on, or from a higher line for a scorer whose shown spans
    fell short of the precision at the shared one (`min_score_by_scorer`)."""

    mass_weight: float
    confidence_weight: float
    length_weight: float
    intercept: float
    min_score: float
    min_score_by_scorer: Mapping[str, float] = field(default_factory=dict)

    def probability(self, features: Sequence[float]) -> float:
        weights = (self.mass_weight, self.confidence_weight, self.length_weight)
        return sigmoid(self.intercept + sum(w * x for w, x in zip(weights, features, strict=True)))

    def line(self, scorer: str) -> float:
        """The display line for a short answer of an answer this scorer chose."""
        return self.min_score_by_scorer.get(scorer, self.min_score)


def span_features(mass: float, confidence: float, words: int) -> tuple[float, float, float]:
    """What a short answer's score weighs (SpanCalibration): the log-odds of the span's mass
    and of the answer's confidence, and log(1 + the span's words)."""
    return log_odds(mass), log_odds(confidence), math.log1p(words)


def log_odds(probability: float, floor: float = 1e-4) -> float:
    """log(p / (1 - p)), with p kept `floor` away from 0 and 1."""
    p = min(max(probability, floor), 1.0 - floor)
    return math.log(p / (1.0 - p))


@dataclass(frozen=True)
class Calibration:
    """Per scorer: thresholds, margin, confidence curve, and for a scorer fitted on
    questions of several languages a curve of each language's own where it had questions
    enough (`language_confidence`, scorer -> ISO 639-1 code -> curve): how often an answer
    holds the fact differs by language (Kazakh answers less often than Russian). In the
    documents' own language (`reader_same_language`) each language has its own threshold
    too (`language_abstain_below`): Russian questions over Russian text score far above
    Kazakh ones over Kazakh text, so a threshold over both is a Kazakh one."""

    abstain_below: dict[str, float]
    abstain_below_unseen: dict[str, float]
    margins: dict[str, float]
    confidence: dict[str, Logistic]
    short_answer: SpanCalibration
    provenance: dict[str, Any]
    language_confidence: dict[str, dict[str, Logistic]] = field(default_factory=dict)
    language_abstain_below: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Calibration:
        text = resources.files("qa").joinpath("calibration.json").read_text("utf-8")
        return cls.from_document(json.loads(text))

    @classmethod
    def from_document(cls, data: dict[str, Any]) -> Calibration:
        """The calibration of a document laid out as qa/calibration.json."""
        scorers = data["scorers"]
        missing = [s for s in SCORERS if s not in scorers]
        if missing:
            raise ValueError(f"calibration.json lacks scorers {missing}")
        return cls(
            abstain_below={s: float(scorers[s]["abstain_below"]) for s in SCORERS},
            abstain_below_unseen={
                s: float(scorers[s].get("abstain_below_unseen", scorers[s]["abstain_below"]))
                for s in SCORERS
            },
            margins={s: float(scorers[s]["margin"]) for s in SCORERS},
            confidence={s: Logistic(**scorers[s]["confidence"]) for s in SCORERS},
            short_answer=SpanCalibration(
                **data["short_answer"]["weights"],
                min_score=data["short_answer"]["min_score"],
                min_score_by_scorer=data["short_answer"].get("min_score_by_scorer", {}),
            ),
            provenance={s: scorers[s].get("fitted", {}) for s in SCORERS},
            language_confidence={
                s: {
                    language: Logistic(**curve)
                    for language, curve in scorers[s]["confidence_by_language"].items()
                }
                for s in SCORERS
                if scorers[s].get("confidence_by_language")
            },
            language_abstain_below={
                s: {k: float(v) for k, v in scorers[s]["abstain_below_by_language"].items()}
                for s in SCORERS
                if scorers[s].get("abstain_below_by_language")
            },
        )

    def with_threshold(self, scorer: str, value: float | None) -> Calibration:
        if value is None:
            return self
        return Calibration(
            {**self.abstain_below, scorer: value},
            {**self.abstain_below_unseen, scorer: max(value, self.abstain_below_unseen[scorer])},
            self.margins,
            self.confidence,
            self.short_answer,
            self.provenance,
            self.language_confidence,
            self.language_abstain_below,
        )
