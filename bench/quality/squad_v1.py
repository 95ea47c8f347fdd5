"""The SQuAD v1.1 sections: citeqa and the anchors on the seed-0 sample (and, with `--all`,
on every answerable question), and the ablation of citeqa's retrieval and reranking."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bench.anchors.base import CHUNK_OVERLAP, CHUNK_SIZE, textbook_chunks
from bench.anchors.bm25_anchor import BM25Anchor
from bench.anchors.evaluate import evaluate_anchor
from bench.anchors.langchain_anchor import LangChainAnchor
from bench.lib.harness import Bench
from bench.lib.sampling import SEED
from bench.lib.tables import fmt, markdown, ratio
from index.snapshots.snapshot import Snapshot
from qa.eval.aggregate import ALL_METRICS, aggregate, details
from qa.eval.datasets import EvalDataset, EvalQuestion
from qa.eval.runner import EvalRun
from qa.pipeline import QAPipeline

ABLATIONS: dict[str, dict[str, Any]] = {
    "dense only": {"keyword_weight": 0.0, "rerank": False},
    "BM25 only": {"dense_weight": 0.0, "multilingual_weight": 0.0, "rerank": False},
    "fused": {"rerank": False},
    "fused + rerank (default)": {},
}


def squad_v1(
    bench: Bench, dataset: EvalDataset, asked: list[EvalQuestion], sample: int, args: Any
) -> V1Run:
    """citeqa and the anchors on `asked`, whose first `sample` are the seed-0 sample: one
    table for the sample and, when more were asked (`--all`), one for all of them."""
    snapshot = bench.index(dataset.documents, bench.settings.multilingual_model is not None)
    pipeline = bench.pipeline(snapshot)
    citeqa = bench.ask(dataset, pipeline, asked)
    chunks = textbook_chunks(dataset.documents)
    langchain = LangChainAnchor(chunks)
    anchors = {
        "BM25": evaluate_anchor(BM25Anchor(chunks), asked, bench.progress),
        "LangChain": evaluate_anchor(langchain, asked, bench.progress),
    }
    note = (
        f"citeqa: its own sentence chunks ({len(snapshot)}); anchors: "
        f"RecursiveCharacterTextSplitter({CHUNK_SIZE}, {CHUNK_OVERLAP}) chunks of each "
        f"paragraph ({len(chunks)}). A hit is a chunk of the question's paragraph. Latency "
        "ratios: citeqa's time over the anchor's (retrieval only for the anchors; citeqa's "
        "includes reranking and composing the answer)."
    )
    on_sample = first_questions(citeqa, sample)
    sample_anchors = {name: run.metrics(first=sample) for name, run in anchors.items()}
    bench.results["squad_v1"] = {
        "questions": len(on_sample.judgements),
        "citeqa": on_sample.metrics,
        "citeqa_details": on_sample.details,
        "anchors": sample_anchors,
        "anchor_chunks": len(chunks),
        "citeqa_chunks": len(snapshot),
    }
    sample_note = f"{len(on_sample.judgements)} answerable questions ({_sample_note(args)})."
    v1_table(
        bench,
        "SQuAD v1.1: citeqa and the anchors",
        on_sample,
        sample_anchors,
        sample_note + " " + note,
    )
    if len(asked) > sample:
        all_anchors = {name: run.metrics() for name, run in anchors.items()}
        bench.results["squad_v1_all"] = {
            "questions": len(asked),
            "citeqa": citeqa.metrics,
            "citeqa_details": citeqa.details,
            "anchors": all_anchors,
        }
        all_note = (
            f"{len(asked)} answerable questions, asked in the run of the first table, whose "
            f"questions are their first {sample}. {note}"
        )
        v1_table(bench, "SQuAD v1.1, every question", citeqa, all_anchors, all_note)
    return V1Run(snapshot, on_sample, pipeline, langchain)


@dataclass(frozen=True)
class V1Run:
    """What the SQuAD v1.1 section leaves for the later ones: its index, citeqa's run on
    the sample, and the pipeline and LangChain anchor it asked."""

    snapshot: Snapshot
    citeqa: EvalRun
    pipeline: QAPipeline
    langchain: LangChainAnchor


def first_questions(run: EvalRun, count: int) -> EvalRun:
    """`run` cut to its first `count` questions, with their metrics."""
    if count >= len(run.judgements):
        return run
    judgements = run.judgements[:count]
    return replace(
        run,
        judgements=judgements,
        metrics=aggregate(judgements, with_abstention=any(not j.answerable for j in judgements)),
        details=details(judgements),
        seconds=round(sum(j.latency_ms for j in judgements) / 1000, 2),
    )


def v1_table(
    bench: Bench, title: str, citeqa: EvalRun, anchors: dict[str, dict[str, float]], note: str
) -> None:
    """citeqa's metrics, each anchor's and the ratios between them."""
    rows = []
    for metric in [m for m in ALL_METRICS if m in citeqa.metrics]:
        value = citeqa.metrics[metric]
        rows.append(
            [
                metric,
                fmt(value, metric),
                *(fmt(a.get(metric), metric) for a in anchors.values()),
                *(
                    ratio(value, a.get(metric)) if metric != "count" else "-"
                    for a in anchors.values()
                ),
            ]
        )
    rows.append(
        ["answer words (median)", fmt(citeqa.details["answer_words_median"]), "-", "-", "-", "-"]
    )
    headers = [
        "metric",
        "citeqa",
        "BM25 (bm25s)",
        "LangChain",
        "citeqa / BM25",
        "citeqa / LangChain",
    ]
    bench.section(title, markdown(headers, rows), note)


def ablation(
    bench: Bench,
    dataset: EvalDataset,
    snapshot: Snapshot,
    questions: list[EvalQuestion],
    default: EvalRun,
) -> None:
    runs: dict[str, dict[str, float]] = {}
    for name, overrides in ABLATIONS.items():
        run = (
            default
            if not overrides
            else bench.ask(dataset, bench.pipeline(snapshot, **overrides), questions)
        )
        runs[name] = run.metrics
    bench.results["ablation"] = runs
    columns = [
        "hit@1",
        "hit@5",
        "mrr@10",
        "answer_contains",
        "citation_support",
        "latency_ms_p50",
        "latency_ms_p95",
    ]
    rows = [[name, *(fmt(m[c], c) for c in columns)] for name, m in runs.items()]
    note = (
        "dense only: keyword_weight 0; BM25 only: dense_weight 0; fused: reciprocal rank "
        "fusion of both; rerank: the cross-encoder over sentences of the top chunks."
    )
    bench.section(
        "Ablation (SQuAD v1.1, same questions)", markdown(["system", *columns], rows), note
    )


def _sample_note(args: Any) -> str:
    note = f"sampled as in bench/lib/sampling.py: seed {SEED}, first {args.sample}"
    return note + (f", capped at --limit {args.limit}" if args.limit else "")
