"""The multilingual reader's tables, on questions whose SQuAD article the reader never
trained on (its card lists the articles it did).

- Short answers: the English sample's questions from held-out articles (asked in the main
  SQuAD v1.1 run), and the translated questions from held-out articles (Russian, Kazakh)
  next to their English originals.
- Ablation over those translated questions and their originals: the English cross-encoder
  only (no reader: Russian and Kazakh sentences are chosen by multilingual-e5's cosine, no
  short answers), the reader only (it reads English questions too), and both (citeqa's
  default: the cross-encoder reads English, the reader every other language and the spans).
  Each row has answer_contains, hit@5, short-answer F1, coverage and precision, the
  expected calibration error of the confidence, and the in-process p95 latency.
- The short answers' ceiling (bench/quality/span_ceiling.py) on the same questions: the
  share of answers whose best span is right, and the coverage a perfect score would reach
  at the precision the display line is fitted for.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.lib.harness import Bench
from bench.lib.reader_articles import article_of, trained_articles
from bench.lib.tables import fmt, markdown, ratio
from bench.quality.span_ceiling import span_ceiling
from bench.tuning.calibrate import SHORT_ANSWER_PRECISION
from index.snapshots.snapshot import Snapshot
from qa.eval.aggregate import aggregate
from qa.eval.datasets import EvalDataset, EvalQuestion, load_dataset
from qa.eval.judge import Judgement
from qa.pipeline import QAPipeline

VARIANTS: dict[str, dict[str, Any]] = {
    "cross-encoder only": {"reader": False},
    "reader only": {"reader_reads_english": True},
    "both (default)": {},
}
DEFAULT = "both (default)"
COLUMNS = (
    "answer_contains",
    "hit@5",
    "short_answer_f1",
    "short_answer_coverage",
    "short_answer_precision",
    "confidence_ece",
    "confidence_ece_floor",
    "latency_ms_p95",
)


def held_out_judgements(judgements: Sequence[Judgement], snapshot: Snapshot) -> list[Judgement]:
    trained = trained_articles()
    return [j for j in judgements if article_of(j.question, snapshot) not in trained]


def translated_held_out(
    dataset: EvalDataset, snapshot: Snapshot, paths: Sequence[Path]
) -> dict[str, list[EvalQuestion]]:
    """The translated questions from held-out articles by language ("en" for their
    originals, the same ids), each with its original's gold paragraph."""
    by_id = {q.id: q for q in dataset.questions}
    trained = trained_articles()
    sets: dict[str, list[EvalQuestion]] = {}
    kept: set[str] = set()
    for path in paths:
        language = path.suffixes[-2].lstrip(".") if len(path.suffixes) >= 2 else path.stem
        questions = [
            EvalQuestion(q.id, q.question, q.answers, q.unanswerable, by_id[q.id].gold_doc_ids)
            for q in load_dataset(path).questions
            if q.id in by_id and article_of(by_id[q.id], snapshot) not in trained
        ]
        sets[language] = questions
        kept |= {q.id for q in questions}
    sets = {"en": [by_id[i] for i in sorted(kept)], **sets}
    return sets


def reader_tables(
    bench: Bench,
    dataset: EvalDataset,
    snapshot: Snapshot,
    english_sample: Sequence[Judgement],
    translated_paths: Sequence[Path],
    limit: int | None,
) -> None:
    english = held_out_judgements(english_sample, snapshot)
    english_metrics = aggregate(english, with_abstention=False)
    results: dict[str, Any] = {
        "trained_articles": len(trained_articles()),
        "english_sample_held_out": {"questions": len(english), "metrics": english_metrics},
    }
    sets = translated_held_out(dataset, snapshot, translated_paths)
    if limit is not None:
        sets = {language: questions[:limit] for language, questions in sets.items()}
    rows = [_row("SQuAD v1.1 sample, held-out articles", "en", len(english), english_metrics)]
    ablation: dict[str, dict[str, Any]] = {}
    pipelines: dict[str, QAPipeline] = {}
    for variant, overrides in VARIANTS.items():
        pipeline = pipelines[variant] = bench.pipeline(snapshot, **overrides)
        ablation[variant] = {}
        for language, questions in sets.items():
            metrics = bench.ask(dataset, pipeline, questions).metrics
            ablation[variant][language] = metrics
            rows.append(_row(variant, language, len(questions), metrics, ablation[variant]))
    results["ablation"] = ablation
    results["span_ceiling"] = ceiling_table(bench, pipelines[DEFAULT], english, sets)
    bench.results["reader"] = results
    headers = ["pipeline", "language", "questions", *COLUMNS, "answer_contains / English"]
    note = (
        "Held-out articles: SQuAD articles the reader never trained on. First row: the "
        "SQuAD v1.1 sample's questions from them (main run). Other rows: the translated "
        "questions from them and their English originals, per pipeline (see "
        "bench/quality/reader.py). Short-answer F1 and precision are over the short "
        "answers shown; coverage over the answered questions; the ECE is that of the "
        "confidence as the probability that the answer holds a gold answer."
    )
    bench.section("Multilingual reader: short answers and ablation", markdown(headers, rows), note)


def _row(
    name: str,
    language: str,
    count: int,
    metrics: dict[str, float],
    same_pipeline: dict[str, dict[str, float]] | None = None,
) -> list[str]:
    english = (same_pipeline or {}).get("en")
    relative = ratio(metrics["answer_contains"], english["answer_contains"]) if english else ""
    return [
        name,
        language,
        str(count),
        *(fmt(metrics.get(c), c) for c in COLUMNS),
        relative if language != "en" else "",
    ]


def ceiling_table(
    bench: Bench,
    pipeline: QAPipeline,
    english: Sequence[Judgement],
    sets: dict[str, list[EvalQuestion]],
) -> dict[str, dict[str, float]]:
    """The short answers' ceiling of the default `pipeline` on the held-out English sample
    and the translated sets, as a section and as results."""
    named = {
        "SQuAD v1.1 sample, held-out articles (en)": [j.question for j in english],
        **{f"translated set, held-out articles ({language})": q for language, q in sets.items()},
    }
    ceilings = {name: span_ceiling(pipeline, questions) for name, questions in named.items()}
    results = {
        name: {
            "answered": c.answered,
            "best_span_right": round(c.right_share(), 4),
            "coverage_ceiling": round(c.coverage_at(SHORT_ANSWER_PRECISION), 4),
        }
        for name, c in ceilings.items()
    }
    rows = [
        [
            name,
            str(c.answered),
            f"{c.right_share():.3f}",
            f"{c.coverage_at(SHORT_ANSWER_PRECISION):.3f}",
        ]
        for name, c in ceilings.items()
    ]
    headers = [
        "questions",
        "answered",
        "best span right (F1 >= 0.5)",
        f"coverage ceiling at precision {SHORT_ANSWER_PRECISION:.2f}",
    ]
    note = (
        "Whatever its score, a shown short answer is the best span of the answer's best "
        "sentence: the ceiling is the coverage a perfect score would reach, every right span "
        "shown and wrong ones only as far as the precision allows (bench/quality/"
        "span_ceiling.py)."
    )
    bench.section("Short answers: the ceiling of a perfect score", markdown(headers, rows), note)
    return results
