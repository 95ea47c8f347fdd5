"""Fit qa/calibration.json: abstention thresholds, answer margins, confidence curves and
the short-answer line, from data the benchmarks do not report.

    .venv/bin/python -m bench.tuning.calibrate --squad-v1 dev-v1.1.json \
        --translated bench/data/calibration/squad_calibration.ru.jsonl \
                     bench/data/calibration/squad_calibration.kk.jsonl \
        [--same-language-set bench/data/corpora/kk ...] \
        [--questions 1000] [--index-dir DIR] [--out qa/calibration.json]

It writes qa/calibration.json (`--out`), whose `data` records what it was fitted on. The
shipped file (2026-12-06, with the reader's third run: docs/reader.md)
was made by this command on SQuAD v1.1 dev without its held-out paragraphs
(`dev-v1.1.heldout-removed.json`), with both translated calibration files, both
`--same-language-set`s (bench/data/corpora/kk and ru) and the defaults. One run is enough
after a change that moves a scorer's scale: the confidence curves are fitted on answers
composed again with the thresholds and margin of the same run, not with the calibration
file the pipeline loaded.

For each scorer (the cross-encoder; the English embedder when reranking is off; the
multilingual embedder, or the multilingual reader, for questions in another language than
the documents; the reader for questions in the documents' own language when that is not
English, `--same-language-set`, fitted on half a of its articles: bench/tuning/
same_language.py refits that one alone) it records the evidence score below which citeqa
abstains, and reports the abstention recall that buys on out-of-corpus questions (the
questions asked of the index without their own article, or without the documents that hold
their answer).
Each scorer's confidence curve is a logistic fit of "the answer holds a gold answer" on
its top score over the calibration questions it answered, and the reader's two scorers get
one per question language too (`confidence_by_language`; in the documents' own language, a
threshold per language as well: bench/tuning/same_language.py); the short answer's score
is a logistic fit of "token F1 >= 0.5" on the log-odds of the reader's span mass and of
the answer's confidence, and the span's length (qa.calibration.SpanCalibration), over the
answers composed again with the thresholds and curves just fitted (the pipeline that asked
the questions used the calibration file it loaded, and the score must read the confidence
the new file gives); its display line is the lowest score at which the shown spans of the
calibration questions reach `--short-answer-precision` (0.90; with the second run's reader
a line for 0.85 showed a short answer for 36% of the 1,315 calibration answers, and the
shown spans of the SQuAD benchmark then reached a precision of only 0.865), raised for a
scorer whose own shown spans fall short of it there (`min_score_by_scorer`).
`fitted.by_scorer` reports the shown spans of each scorer.
`--max-false-abstain` (0.05, issue 4's limit) bounds the false abstention rate on
answerable questions the calibration has not seen: the budget is the highest rate on the
calibration questions whose one-sided 95% Wilson upper bound stays within it (0.038 on
1,000 questions; the translated questions share the English budget), since a rate fitted
right at the limit exceeds it on new questions about half of the time. Questions with a
content term the corpus never uses (function words such as "what" or "did" do not count)
get a stricter threshold, raised only while it costs at most `--max-unseen-cost` of that
budget (default 0: none is set aside for it, so it only uses what the base threshold
leaves unspent). Such terms are the more common the smaller the corpus: 1.6% of the
calibration's answerable questions have one over all of SQuAD, 37% over a single article
(the small-corpora study of docs/evaluation-and-benchmarks.md), so a raise that costs false
abstentions on the full index costs much more on small corpora: with 0.01 the out-of-corpus
benchmark's false abstention rate was 0.052, with 0 it is 0.041 at the same abstention
recall (0.961 and 0.970). The
margin within which extra sentences join an answer is the one with the best
answer_contains whose median answer stays under `--max-median-words`.

The English calibration questions come after the 2,000 of the benchmark sample (seed-0
shuffle positions 2,000 onwards), and those of the reader (spans, translations) from the
SQuAD articles it was not trained on; the translated ones are a set of their own
(bench/data/calibration/), so the benchmark does not grade the data it was fitted on.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/tuning/calibrate.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np
from scipy.optimize import minimize
from tqdm import tqdm

from bench.lib.abstention_budget import budget_threshold, false_abstain_budget
from bench.lib.reader_articles import article_of, trained_articles
from bench.lib.sampling import SAMPLE_SIZE, sample_questions
from index.settings import IndexSettings
from index.snapshots.snapshot import Snapshot
from index.stores.filters import Filter
from qa.calibration import (
    COSINE,
    COSINE_MULTILINGUAL,
    CROSS_ENCODER,
    READER,
    READER_SAME_LANGUAGE,
    Calibration,
    Logistic,
    SpanCalibration,
)
from qa.compose.base import Evidence
from qa.compose.extractive import ExtractiveComposer, ExtractiveSettings
from qa.eval.aggregate import SHORT_ANSWER_RIGHT_F1
from qa.eval.corpus_index import CorpusIndex, default_index_dir
from qa.eval.datasets import EvalQuestion, load_dataset
from qa.eval.judge import contains_gold
from qa.eval.metrics import f1_score
from qa.eval.normalize import contains_any, strip_citation_markers
from qa.factory import build_pipeline, extractive_composer
from qa.models import Models
from qa.pipeline import QAPipeline
from qa.reader.reader import Reader
from qa.rerank.cross_encoder import CrossEncoder
from qa.settings import QASettings
from qa.types import Answer

MARGINS = {
    CROSS_ENCODER: [0.0, 2.0, 4.0, 6.0, 8.0],
    COSINE: [0.0, 0.01, 0.02, 0.03, 0.05],
    COSINE_MULTILINGUAL: [0.0, 0.01, 0.02, 0.03, 0.05],
    READER: [0.0, 1.0, 2.0, 3.0, 4.0],
    READER_SAME_LANGUAGE: [0.0, 1.0, 2.0, 3.0, 4.0],
}
# A flat curve where a scorer has too few answers to fit one.
FLAT = Logistic(0.0, 0.0)
MIN_ANSWERS = 20
# A scorer's short answers get a display line of their own, above the shared one, when
# they are this many or more and fall short of the precision at the shared line.
MIN_SCORER_SPANS = 100
# The share of shown short answers that must be right (token F1 >= 0.5), by default.
SHORT_ANSWER_PRECISION = 0.90
# The short answer's calibration before it is fitted: no span reaches the line.
NOT_YET_FITTED = {
    "weights": {
        "mass_weight": 0.0,
        "confidence_weight": 0.0,
        "length_weight": 0.0,
        "intercept": 0.0,
    },
    "min_score": 1.0,
}


@dataclass
class Observed:
    """A question's evidence in and out of the corpus, and what the pipeline answered."""

    question: EvalQuestion
    inside: Evidence
    outside: Evidence
    answer: Answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--squad-v1", type=Path, required=True)
    parser.add_argument("--translated", type=Path, nargs="*", default=[])
    parser.add_argument(
        "--same-language-set",
        type=Path,
        action="append",
        default=[],
        help="a corpus test set not in English (bench/data/corpora/kk): the reader's "
        "same-language fit, on half a of its articles (bench/tuning/same_language.py)",
    )
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--max-false-abstain", type=float, default=0.05)
    parser.add_argument("--max-unseen-cost", type=float, default=0.0)
    parser.add_argument("--max-median-words", type=float, default=36)
    parser.add_argument("--short-answer-precision", type=float, default=SHORT_ANSWER_PRECISION)
    parser.add_argument("--out", type=Path, default=Path("qa/calibration.json"))
    args = parser.parse_args()

    dataset = load_dataset(args.squad_v1)
    settings = IndexSettings()
    root = args.index_dir or default_index_dir(dataset.documents, settings, True)
    corpus = CorpusIndex(root, settings, multilingual=True)
    snapshot, _ = corpus.ensure(dataset.documents)
    embedder, multilingual = corpus.embedders()
    reader = Reader()
    models = Models(embedder, multilingual, CrossEncoder(), reader)
    trained_on = trained_articles()
    pool = sample_questions(dataset.questions, None)[SAMPLE_SIZE:]
    english = pool[: args.questions]
    by_id = {q.id: q for q in dataset.questions}
    translated = load_translated(args.translated, by_id)
    held_out = [q for q in translated if article_of(q, snapshot) not in trained_on]

    # One budget for every scorer, from the English questions: the translated ones are too
    # few for a bound of their own (480 would allow about 3.3%, so fewer abstentions).
    budget = false_abstain_budget(len(english), args.max_false_abstain)
    scorers: dict[str, dict[str, object]] = {}
    reranked = build_pipeline(snapshot, QASettings(), models)
    english_seen = observe(reranked, english, snapshot)
    scorers[CROSS_ENCODER] = fit(english_seen, budget, args)
    plain = build_pipeline(snapshot, QASettings(rerank=False), models)
    scorers[COSINE] = fit(observe(plain, english, snapshot), budget, args)
    spans = [o for o in english_seen if article_of(o.question, snapshot) not in trained_on]
    if held_out:
        without_reader = build_pipeline(snapshot, QASettings(reader=False), models)
        scorers[COSINE_MULTILINGUAL] = fit(
            observe(without_reader, held_out, snapshot), budget, args
        )
        translations = observe(reranked, held_out, snapshot)
        scorers[READER] = fit(translations, budget, args)
        by_language: dict[str, list[Observed]] = {}
        for o in translations:
            if o.inside.scorer == READER and o.inside.language:
                by_language.setdefault(o.inside.language, []).append(o)
        scorers[READER]["confidence_by_language"] = language_curves(by_language, scorers[READER])
        spans += translations
    same_language_record: list[dict[str, object]] = []
    if args.same_language_set:
        # it builds on this module
        from bench.tuning.same_language import fit_same_language, observe_sets

        by_language, same_language_record = observe_sets(args.same_language_set, "a", models)
        scorers[READER_SAME_LANGUAGE] = fit_same_language(by_language, budget, args)
        spans += [o for observed in by_language.values() for o in observed]
    elif READER in scorers:  # no questions in a corpus's own language: the reader's own fit
        scorers[READER_SAME_LANGUAGE] = {**scorers[READER], "fitted_as": READER}
    spans = answered_as_fitted(spans, scorers)
    short_answer = fit_short_answer(reranked, spans, args.short_answer_precision)
    document = {
        "note": "Written by bench/tuning/calibrate.py; see its docstring for the method.",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": {
            "squad_v1": {"file": args.squad_v1.name, "sha256": dataset.sha256},
            "translated": [p.name for p in args.translated],
            "same_language": same_language_record,
            "english_questions": len(english),
            "translated_questions": len(held_out),
            "questions_from": f"seed-0 shuffle positions {SAMPLE_SIZE} onwards",
            "reader_trained_on_articles": len(trained_on),
        },
        "scorers": scorers,
        "short_answer": short_answer,
    }
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(document, indent=2))


def load_translated(paths: Sequence[Path], by_id: dict[str, EvalQuestion]) -> list[EvalQuestion]:
    """Translated SQuAD questions, with the gold documents of their English originals."""
    questions = []
    for path in paths:
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                original = by_id[row["id"]]
                questions.append(
                    EvalQuestion(
                        id=f"{row['id']}-{row.get('lang', path.stem)}",
                        question=row["question"],
                        answers=original.answers,
                        gold_doc_ids=original.gold_doc_ids,
                    )
                )
    return questions


def observe(
    pipeline: QAPipeline, questions: Sequence[EvalQuestion], snapshot: Snapshot
) -> list[Observed]:
    """Each question asked of the whole index, and of the index without its own article
    (SQuAD) or without the documents that hold a gold answer (other corpora)."""
    observed = []
    for question in tqdm(questions, desc="calibration questions", unit="q"):
        outside = _outside(question, snapshot)
        inside = pipeline.evidence(question.question)
        answer = pipeline.composer.compose(inside)
        observed.append(
            Observed(
                question, inside, pipeline.evidence(question.question, filters=outside), answer
            )
        )
    return observed


def _outside(question: EvalQuestion, snapshot: Snapshot) -> Filter:
    """The filter that leaves out the question's own documents. Built as a parsed `Filter`:
    a client's filters are capped at 256 values, a corpus set has more documents."""
    if question.gold_doc_ids:
        titles = {d.doc_id: d.title for d in snapshot.documents}
        own = {titles[d] for d in question.gold_doc_ids}
        return {"title": frozenset(t for t in titles.values() if t not in own)}
    holding = {d.doc_id for d in snapshot.documents if contains_any(d.text, list(question.answers))}
    return {"doc_id": frozenset(d.doc_id for d in snapshot.documents if d.doc_id not in holding)}


def fit(observed: Sequence[Observed], budget: float, args: argparse.Namespace) -> dict[str, object]:
    """Thresholds, margin and confidence curve for the scorer most of these questions were
    routed to, fitted on those questions only (a few may be routed elsewhere)."""
    routed = Counter(o.inside.scorer for o in observed)
    scorer = routed.most_common(1)[0][0]
    observed = [o for o in observed if o.inside.scorer == scorer]
    inside = np.array([top_score(o.inside) for o in observed])
    outside = np.array([top_score(o.outside) for o in observed])
    unseen = np.array([bool(o.inside.unseen_terms) for o in observed])
    unseen_cost = min(args.max_unseen_cost, budget) if unseen.any() else 0.0
    threshold = budget_threshold(inside, budget - unseen_cost)
    base_far = float(np.mean(inside < threshold))
    strict = threshold
    for candidate in sorted(set(inside[unseen].tolist())):
        cost = float(np.mean(unseen & (inside < candidate) & (inside >= threshold)))
        if candidate > strict and base_far + cost <= budget:
            strict = candidate
    margin, contains, words = pick_margin(observed, scorer, threshold, strict, args)
    composer = fitted_composer(scorer, threshold, strict, margin)
    answered = [(s, o) for s, o in zip(inside, observed, strict=True) if s >= threshold]
    curve = fit_logistic([s for s, _ in answered], [holds_answer(o, composer) for _, o in answered])
    return {
        "abstain_below": round(threshold, 4),
        "abstain_below_unseen": round(strict, 4),
        "margin": margin,
        "confidence": {"slope": round(curve.slope, 4), "intercept": round(curve.intercept, 4)},
        "fitted": {
            "questions": len(observed),
            "false_abstain_budget": round(budget, 4),
            "routed_elsewhere": sum(routed.values()) - len(observed),
            "false_abstain_rate": round(base_far, 4),
            "false_abstain_rate_with_unseen_rule": round(
                float(np.mean((inside < threshold) | (unseen & (inside < strict)))), 4
            ),
            "out_of_corpus_abstain_recall": round(float(np.mean(outside < threshold)), 4),
            "questions_with_unseen_terms": round(float(np.mean(unseen)), 4),
            "answer_contains": round(contains, 4),
            "median_answer_words": words,
        },
    }


def language_curves(
    by_language: dict[str, list[Observed]], fitted: dict[str, Any]
) -> dict[str, dict[str, float]]:
    """Each language's own confidence curve over the questions its threshold answers, where
    they are enough for a fit (qa.calibration.Calibration.language_confidence), with the
    thresholds and margin of `fitted` (what `fit` returned, with any thresholds per
    language)."""
    curves = {}
    own_thresholds = fitted.get("abstain_below_by_language", {})
    margin = float(fitted["margin"])
    for language, observed in sorted(by_language.items()):
        threshold = float(own_thresholds.get(language, fitted["abstain_below"]))
        strict = max(threshold, float(fitted["abstain_below_unseen"]))
        answered = [o for o in observed if top_score(o.inside) >= threshold]
        curve = fit_language_curve(
            [top_score(o.inside) for o in answered],
            [
                holds_answer(o, fitted_composer(o.inside.scorer, threshold, strict, margin))
                for o in answered
            ],
        )
        if curve != FLAT:
            curves[language] = {
                "slope": round(curve.slope, 4),
                "intercept": round(curve.intercept, 4),
            }
    return curves


def fit_language_curve(scores: Sequence[float], labels: Sequence[bool]) -> Logistic:
    """One language's confidence curve, fitted with a right and a wrong pseudo-answer at
    its mean score: a language whose answers were all right (Russian over Russian text, 73
    of 73 on half a) gets a curve near 1 instead of none, and so the pooled curve's lower
    confidence. With hundreds of answers the pseudo-answers hardly move the fit."""
    if len(scores) < MIN_ANSWERS:
        return FLAT
    mean = float(np.mean(scores))
    return fit_logistic([*scores, mean, mean], [*labels, True, False])


def holds_answer(observed: Observed, composer: ExtractiveComposer) -> bool:
    """Whether the answer `composer` gives from the question's evidence holds a gold
    answer. The composer carries the thresholds and margin being fitted, not those of the
    calibration file the pipeline loaded: a change that moves the scores' scale would
    otherwise fit the curves on the old thresholds' abstentions."""
    return _holds_gold(composer.compose(observed.inside), observed.question)


def fit_logistic(scores: Sequence[float], labels: Sequence[bool]) -> Logistic:
    """P(label | score) = sigmoid(slope * score + intercept), by maximum likelihood (a
    little L2 on the slope keeps it finite when the classes separate)."""
    if len(scores) < MIN_ANSWERS or len(set(labels)) < 2:
        return FLAT
    slope, intercept = fit_weights(np.asarray(scores, dtype=np.float64)[:, None], labels)
    return Logistic(slope, intercept)


def fit_weights(features: np.ndarray, labels: Sequence[bool]) -> list[float]:
    """A logistic regression's weights (one per feature column, then the intercept), by
    maximum likelihood with a little L2 on the weights."""
    x = np.hstack([features, np.ones((len(features), 1))])
    y = np.asarray(labels, dtype=np.float64)

    def loss(w: np.ndarray) -> float:
        z = x @ w
        return float(np.mean(np.logaddexp(0, z) - y * z) + 1e-4 * np.sum(w[:-1] ** 2))

    start = np.zeros(x.shape[1])
    start[0] = 1.0
    return [float(v) for v in minimize(loss, start, method="L-BFGS-B").x]


def answered_as_fitted(
    observed: Sequence[Observed], scorers: dict[str, dict[str, object]]
) -> list[Observed]:
    """Each question's answer composed again with the scorers just fitted. The pipeline that
    observed them answered with the calibration file it loaded, and the short answer's score
    reads the answer's confidence: it is fitted on the confidence the new file gives."""
    calibration = Calibration.from_document({"scorers": scorers, "short_answer": NOT_YET_FITTED})
    composer = extractive_composer(calibration, QASettings().max_answer_sentences)
    return [replace(o, answer=composer.compose(o.inside)) for o in observed]


def fit_short_answer(
    pipeline: QAPipeline, observed: Sequence[Observed], precision: float
) -> dict[str, object]:
    """The short answer's score (qa.calibration.SpanCalibration: a logistic fit of "token
    F1 >= 0.5" on its features) and the lowest display score whose shown spans reach
    `precision` on these questions."""
    finder = pipeline.short_answers
    assert finder is not None
    features, chosen_by, f1s = [], [], []
    for item in tqdm(observed, desc="short answers", unit="q"):
        candidate = finder.candidate(item.inside, item.answer)
        if candidate is not None and not item.answer.abstained:
            features.append(candidate.features)
            chosen_by.append(item.inside.scorer)
            f1s.append(f1_score(candidate.short.text, item.question.answers))
    return fit_span_score(features, chosen_by, f1s, precision)


def fit_span_score(
    features: Sequence[Sequence[float]],
    chosen_by: Sequence[str],
    f1s: Sequence[float],
    precision: float,
) -> dict[str, Any]:
    """SpanCalibration's weights and display line (as qa/calibration.json lays them out)
    from each candidate span's features and token F1: the line is the lowest at which the
    shown spans reach `precision`; a scorer with MIN_SCORER_SPANS spans or more whose shown
    spans fall short of it there gets the lowest higher line at which they reach it.
    `fitted.by_scorer` reports the shown spans of each scorer that chose their sentence."""
    f1 = np.array(f1s)
    right = [f >= SHORT_ANSWER_RIGHT_F1 for f in f1s]
    mass, confidence, length, intercept = fit_weights(np.array(features), right)
    curve = SpanCalibration(mass, confidence, length, intercept, min_score=1.0)
    scores = np.array([curve.probability(f) for f in features])
    hits = np.array(right)
    line = display_line(scores, hits, precision)
    scorer_of = np.array(chosen_by)
    by_scorer: dict[str, float] = {}
    for scorer in sorted(set(chosen_by)):
        mine = scorer_of == scorer
        shown_at_line = mine & (scores >= line)
        if (
            mine.sum() >= MIN_SCORER_SPANS
            and shown_at_line.any()
            and hits[shown_at_line].mean() < precision
        ):
            by_scorer[scorer] = display_line(scores[mine], hits[mine], precision, floor=line)
    fitted = replace(curve, min_score=line, min_score_by_scorer=by_scorer)
    shown = scores >= np.array([fitted.line(scorer) for scorer in chosen_by])
    weights = {
        "mass_weight": mass,
        "confidence_weight": confidence,
        "length_weight": length,
        "intercept": intercept,
    }
    return {
        "weights": {k: round(v, 4) for k, v in weights.items()},
        "min_score": round(float(line), 4),
        "min_score_by_scorer": {k: round(float(v), 4) for k, v in by_scorer.items()},
        "fitted": _shown_figures(shown, hits, f1)
        | {
            "by_scorer": {
                scorer: _shown_figures(shown[mine], hits[mine], f1[mine])
                for scorer in sorted(set(chosen_by))
                for mine in [scorer_of == scorer]
            }
        },
    }


def display_line(
    scores: np.ndarray, hits: np.ndarray, precision: float, floor: float = 0.0
) -> float:
    """The lowest score from `floor` on at which the spans shown reach `precision`, or 1.0
    (none shown) when no line does."""
    lines = sorted(v for v in set(scores.tolist()) if v >= floor)
    return next((v for v in lines if hits[scores >= v].mean() >= precision), 1.0)


def _shown_figures(shown: np.ndarray, hits: np.ndarray, f1s: np.ndarray) -> dict[str, object]:
    """How many answers had a short answer to weigh, and how often one was shown (coverage),
    right (precision) and how close (mean token F1) when shown."""
    return {
        "answers": len(shown),
        "coverage": round(float(shown.mean()), 4) if len(shown) else 0.0,
        "precision": round(float(hits[shown].mean()), 4) if shown.any() else 0.0,
        "f1_shown": round(float(np.mean(f1s[shown])), 4) if shown.any() else 0.0,
    }


def top_score(evidence: Evidence) -> float:
    return evidence.sentences[0].score if evidence.sentences else -1e9


def pick_margin(
    observed: Sequence[Observed],
    scorer: str,
    threshold: float,
    strict: float,
    args: argparse.Namespace,
) -> tuple[float, float, float]:
    """The margin with the best answer_contains within the median-length budget."""
    best = (MARGINS[scorer][0], -1.0, 0.0)
    for margin in MARGINS[scorer]:
        composer = fitted_composer(scorer, threshold, strict, margin)
        hits, lengths = 0, []
        for item in observed:
            answer = composer.compose(item.inside)
            hits += _holds_gold(answer, item.question)
            lengths.append(len(strip_citation_markers(answer.answer).split()))
        contains, words = hits / len(observed), statistics.median(lengths)
        if words <= args.max_median_words and contains > best[1]:
            best = (margin, contains, words)
    return best


def fitted_composer(
    scorer: str, threshold: float, strict: float, margin: float
) -> ExtractiveComposer:
    """An extractive composer with one scorer's thresholds and margin (and a flat
    confidence: what an answer says, not how sure it is)."""
    return ExtractiveComposer(
        ExtractiveSettings(
            abstain_below={scorer: threshold},
            abstain_below_unseen={scorer: strict},
            margins={scorer: margin},
            confidence={scorer: FLAT},
        )
    )


def _holds_gold(answer: Answer, question: EvalQuestion) -> bool:
    """The benchmarks' answer_contains, for an answer that did not abstain."""
    return not answer.abstained and contains_gold(answer, question)


if __name__ == "__main__":
    main()
