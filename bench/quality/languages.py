"""Sections in other languages and on other corpora: the translated SQuAD questions over
the English paragraphs, and the questions written for a corpus folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.lib.harness import Bench
from bench.lib.sampling import capped
from bench.lib.tables import fmt, markdown, ratio
from index.documents.corpus import load_corpus
from index.snapshots.snapshot import Snapshot
from qa.eval.datasets import EvalDataset, EvalQuestion, load_dataset


def translated(
    bench: Bench, dataset: EvalDataset, snapshot: Snapshot, paths: list[Path], limit: int | None
) -> None:
    by_id = {q.id: q for q in dataset.questions}
    pipeline = bench.pipeline(snapshot)
    rows = []
    results: dict[str, Any] = {}
    for path in paths:
        rows_in = capped(load_dataset(path).questions, limit)
        unknown = [q.id for q in rows_in if q.id not in by_id]
        if unknown:
            raise SystemExit(f"{path}: ids not in {dataset.path}: {unknown[:5]}")
        foreign = [
            EvalQuestion(q.id, q.question, q.answers, q.unanswerable, by_id[q.id].gold_doc_ids)
            for q in rows_in
        ]
        english = [by_id[q.id] for q in rows_in]
        local = bench.ask(dataset, pipeline, foreign).metrics
        source = bench.ask(dataset, pipeline, english).metrics
        name = path.name
        results[name] = {"metrics": local, "english_metrics": source}
        rows.append(
            [
                name,
                str(len(foreign)),
                fmt(local["hit@5"]),
                fmt(source["hit@5"]),
                ratio(local["hit@5"], source["hit@5"]),
                fmt(local["mrr@10"]),
                fmt(local["answer_contains"]),
                fmt(source["answer_contains"]),
            ]
        )
    bench.results["translated"] = results
    headers = [
        "questions",
        "count",
        "hit@5",
        "English hit@5 (same questions)",
        "ratio",
        "mrr@10",
        "answer_contains",
        "English answer_contains",
    ]
    bench.section(
        "Translated SQuAD questions over the English paragraphs",
        markdown(headers, rows),
        "Target (issue 4): hit@5 ratio >= 0.90.",
    )


def corpus_questions(bench: Bench, corpus_dir: Path, paths: list[Path], limit: int | None) -> None:
    settings = bench.settings.model_copy(update={"corpus_dir": corpus_dir})
    documents, _ = load_corpus(settings)
    snapshot = bench.index(documents, multilingual=settings.multilingual_model is not None)
    pipeline = bench.pipeline(snapshot)
    rows = []
    results: dict[str, Any] = {}
    for path in paths:
        dataset = load_dataset(path)
        run = bench.ask(dataset, pipeline, capped(dataset.questions, limit))
        good = sum(
            (j.answer.abstained if not j.answerable else bool(j.answer_contains))
            for j in run.judgements
        )
        share = good / len(run.judgements)
        m = run.metrics
        results[path.name] = {"metrics": m, "answered_or_correctly_abstained": share}
        rows.append(
            [
                path.name,
                str(len(run.judgements)),
                str(int(run.details["unanswerable"])),
                fmt(m["answer_contains"]),
                fmt(m.get("abstain_recall")),
                fmt(m.get("false_abstain_rate")),
                fmt(share),
            ]
        )
    bench.results["corpus_questions"] = results
    headers = [
        "questions",
        "count",
        "unanswerable",
        "answer_contains",
        "abstain_recall",
        "false_abstain_rate",
        "answered or correctly abstained",
    ]
    bench.section(f"Default-corpus questions ({corpus_dir})", markdown(headers, rows))
