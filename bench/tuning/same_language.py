"""Fit the reader's calibration for questions in their corpus's own language (Russian
over Russian text, Kazakh over Kazakh text) on one half of the corpus test sets.

    .venv/bin/python -m bench.tuning.same_language --set bench/data/corpora/kk \
        --set bench/data/corpora/ru --half a [--calibration qa/calibration.json]

The reader scores a question in the documents' own language higher than one across
languages: over the Kazakh set, the threshold fitted on translated questions over English
text declined 8% of the unanswerable questions. So that situation has a scorer of its own,
`reader_same_language` in qa/calibration.json, which this script fits and writes there,
leaving the other scorers as they are (`bench/tuning/calibrate.py` fits those).

It asks the answerable questions of one half of each set's articles
(bench/lib/corpus_sets.half_of; the benchmarks report the other half, `bench/corpora.py
--half b`) of the set's own index, and fits the threshold, margin and confidence curve as
calibrate.py fits each scorer, within the false abstention budget the calibration file
records (0.038: its bound on 1,000 questions; the sets' few hundred would allow less).
The margin is one for all the sets' languages, and so is the threshold of a language with
fewer than MIN_LANGUAGE_QUESTIONS answerable questions; a language with more has its own
(`abstain_below_by_language`: Russian questions over Russian text score far above Kazakh
ones, and the threshold over both refused 0.21 of half b's unanswerable Russian questions,
their own 0.86). The confidence curve is also fitted for each language alone
(`confidence_by_language`, with a pseudo-answer prior: `fit_language_curve`): with the
pooled curve, Kazakh answers were shown a confidence of 0.64 on average while 0.51 of them
held the fact.
The unanswerable questions are not used: the threshold depends only on the answerable ones.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):  # run as `python bench/tuning/same_language.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.lib.abstention_budget import budget_threshold
from bench.lib.corpus_sets import QUESTIONS, Half, in_half, load_set
from bench.tuning.calibrate import (
    Observed,
    fit,
    language_curves,
    observe,
    top_score,
)
from index.settings import IndexSettings
from qa.calibration import CROSS_ENCODER, READER_SAME_LANGUAGE
from qa.eval.corpus_index import CorpusIndex, default_index_dir
from qa.factory import build_pipeline
from qa.models import Models
from qa.reader.reader import Reader
from qa.rerank.cross_encoder import CrossEncoder
from qa.settings import QASettings

# A language's own threshold from this many answerable questions on (at the 0.038 budget,
# 50 put it at the second-lowest score): Russian half a has 74, Kazakh 146.
MIN_LANGUAGE_QUESTIONS = 50


def observe_sets(
    folders: Sequence[Path], half: Half, models: Models | None = None, limit: int | None = None
) -> tuple[dict[str, list[Observed]], list[dict[str, Any]]]:
    """The answerable questions of `half` of each set (the first `limit` of each), asked of
    the set's own index, by the language of the set's questions; and what was read (for the
    calibration file's record)."""
    settings = IndexSettings()
    by_language: dict[str, list[Observed]] = defaultdict(list)
    record = []
    for folder in folders:
        corpus_set = load_set(folder, settings)
        questions = [q for q in in_half(corpus_set, half) if not q.unanswerable][:limit]
        root = default_index_dir(corpus_set.documents, settings, True)
        corpus = CorpusIndex(root, settings, multilingual=True)
        snapshot, _ = corpus.ensure(corpus_set.documents)
        if models is None:
            embedder, multilingual = corpus.embedders()
            models = Models(embedder, multilingual, CrossEncoder(), Reader())
        pipeline = build_pipeline(snapshot, QASettings(), models)
        language = Counter(corpus_set.languages.values()).most_common(1)[0][0]
        by_language[language] += observe(pipeline, questions, snapshot)
        record.append(
            {
                "set": folder.name,
                "language": language,
                "questions_sha256": hashlib.sha256((folder / QUESTIONS).read_bytes()).hexdigest(),
                "half": half,
                "answerable_questions": len(questions),
            }
        )
    return dict(by_language), record


def fit_same_language(
    by_language: dict[str, list[Observed]], budget: float, args: argparse.Namespace
) -> dict[str, object]:
    """One threshold and margin over every language (the budget is a share of all the
    questions) and a confidence curve over them all; then, for each language with questions
    enough, a threshold of its own (the same budget of its own questions); and for each, a
    confidence curve over the questions its threshold lets through (qa.calibration)."""
    fitted = fit([o for observed in by_language.values() for o in observed], budget, args)
    own = {
        language: language_threshold(observed, budget)
        for language, observed in sorted(by_language.items())
        if len(observed) >= MIN_LANGUAGE_QUESTIONS
    }
    fitted["abstain_below_by_language"] = {k: v["abstain_below"] for k, v in own.items()}
    provenance = fitted["fitted"]
    assert isinstance(provenance, dict)
    provenance["by_language"] = own
    curves = language_curves(by_language, fitted)
    return {**fitted, "confidence_by_language": curves}


def language_threshold(observed: Sequence[Observed], budget: float) -> dict[str, float]:
    """One language's threshold (the `budget` quantile of its questions' top scores), and
    the rates it gives: false abstention, and abstention when the documents that hold the
    answer are left out."""
    inside = np.array([top_score(o.inside) for o in observed])
    outside = np.array([top_score(o.outside) for o in observed])
    threshold = budget_threshold(inside, budget)
    return {
        "abstain_below": round(threshold, 4),
        "questions": len(observed),
        "false_abstain_rate": round(float(np.mean(inside < threshold)), 4),
        "out_of_corpus_abstain_recall": round(float(np.mean(outside < threshold)), 4),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--set", type=Path, action="append", required=True, dest="sets")
    parser.add_argument("--half", choices=["a", "b"], default="a", help="the half fitted on")
    parser.add_argument("--calibration", type=Path, default=Path("qa/calibration.json"))
    parser.add_argument("--max-unseen-cost", type=float, default=0.0)
    parser.add_argument("--max-median-words", type=float, default=36)
    parser.add_argument("--limit", type=int, help="questions per set (smoke runs)")
    args = parser.parse_args(argv)

    calibration = json.loads(args.calibration.read_text("utf-8"))
    budget = float(calibration["scorers"][CROSS_ENCODER]["fitted"]["false_abstain_budget"])
    by_language, record = observe_sets(args.sets, args.half, limit=args.limit)
    calibration["scorers"][READER_SAME_LANGUAGE] = fit_same_language(by_language, budget, args)
    calibration["data"]["same_language"] = record
    args.calibration.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(calibration["scorers"][READER_SAME_LANGUAGE], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
