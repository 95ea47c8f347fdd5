"""Quality benchmark: citeqa and the anchors side by side on SQuAD, in one run.

    .venv/bin/python -m bench.quality --squad-v1 DEV_V1_1.json [--squad-v2 DEV_V2_0.json]
        [--translated bench/data/squad_translated.ru.jsonl ...]
        [--corpus-dir corpus --corpus-questions tests/data/corpus_questions.en.jsonl ...]
        [--sample 2000] [--all] [--limit N] [--skip SECTION ...] [--out quality.json]

Sections (markdown on stdout, everything in the JSON file):
- SQuAD v1.1: citeqa's metrics next to the BM25 and LangChain anchors (bench/anchors/) on
  the same questions: 2,000 answerable questions sampled with seed 0. With `--all`,
  every answerable question is asked, and a second table gives them all: the sample is
  the first 2,000 of the same seed-0 shuffle, so both tables come from one run.
- Ablation: dense only, BM25 only, fused, fused + rerank (citeqa's default).
- Out-of-corpus abstention: half of the v1.1 articles indexed; the sampled questions of
  the other half should be abstained on, those of the indexed half answered.
- Typos: the v1.1 questions again, each with one typo (bench/typos.py), answered without
  and with spelling correction.
- SQuAD v2.0: abstention on its unanswerable questions, and what abstaining costs in
  answer_contains on the answerable ones (the same pipeline without abstention).
- Translated questions (Russian, Kazakh): hit@5 against the same questions in English.
- Default-corpus questions: answered, or correctly abstained on.
- Query latency in process, and its ratio to the LangChain anchor's, measured in this run:
  from the SQuAD v1.1 runs, and again with citeqa and the anchor timed in turns on the
  sample's questions (bench/paired_latency.py), so both see the same machine.

Indexes are cached like `citeqa eval`'s (see qa.eval.corpus_index), so a second run only
asks questions. `--limit N` caps every question set, for a quick smoke run. `--skip` leaves
out the ablation, out-of-corpus or typos section, whose runs repeat the sample's v1.1
questions. The other sections ask the sample's questions (SQuAD v2.0: its own seed-0
sample of `--sample`) with or without `--all`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

if __package__ in (None, ""):  # run as `python bench/quality.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.anchors.base import CHUNK_OVERLAP, CHUNK_SIZE, textbook_chunks
from bench.anchors.bm25_anchor import BM25Anchor
from bench.anchors.evaluate import evaluate_anchor
from bench.anchors.langchain_anchor import LangChainAnchor
from bench.paired_latency import PairedLatency, time_in_turns
from bench.reader_quality import reader_tables
from bench.sampling import SAMPLE_SIZE, SEED, sample_questions
from bench.tables import fmt, markdown, ratio
from bench.typos import with_typo
from index.corpus import load_corpus
from index.embedders import Embedder, make_embedder
from index.settings import IndexSettings
from index.snapshot import Snapshot
from index.types import Document
from qa.eval.aggregate import ABSTENTION_METRICS, ALL_METRICS, aggregate, details
from qa.eval.corpus_index import CorpusIndex, cache_key, cache_root
from qa.eval.datasets import EvalDataset, EvalQuestion, load_dataset
from qa.eval.runner import EvalRun, run_eval
from qa.eval.targets import InProcessTarget
from qa.eval.versions import describe_machine, machine, versions
from qa.factory import build_pipeline
from qa.models import Models
from qa.pipeline import QAPipeline
from qa.reader.reader import Reader
from qa.rerank.cross_encoder import CrossEncoder
from qa.settings import QASettings

log = logging.getLogger("bench.quality")

ABLATIONS: dict[str, dict[str, Any]] = {
    "dense only": {"keyword_weight": 0.0, "rerank": False},
    "BM25 only": {"dense_weight": 0.0, "multilingual_weight": 0.0, "rerank": False},
    "fused": {"rerank": False},
    "fused + rerank (default)": {},
}
NEVER_ABSTAIN = -1e9
SKIPPABLE = ("ablation", "out-of-corpus", "typos")


@dataclass
class Bench:
    """Models loaded once, shared by every index and pipeline of the run."""

    settings: IndexSettings
    index_root: Path
    progress: bool
    embedder: Embedder
    cross_encoder: CrossEncoder
    multilingual: Embedder | None = None
    reader: Reader | None = None
    results: dict[str, Any] = field(default_factory=dict)
    tables: list[str] = field(default_factory=list)

    def models(self, snapshot: Snapshot, rerank: bool = True) -> Models:
        return Models(
            self.embedder,
            self.multilingual if snapshot.manifest.multilingual else None,
            self.cross_encoder if rerank else None,
            self.reader if rerank and snapshot.manifest.multilingual else None,
        )

    def index(
        self, documents: Sequence[Document], multilingual: bool, seed: Path | None = None
    ) -> Snapshot:
        if multilingual and self.multilingual is None:
            assert self.settings.multilingual_model is not None
            self.multilingual = make_embedder(self.settings.multilingual_model)
            self.reader = Reader()
        root = self.index_root / cache_key(documents, self.settings, multilingual)
        corpus = CorpusIndex(
            root,
            self.settings,
            multilingual=multilingual,
            embedder=self.embedder,
            multilingual_embedder=self.multilingual,
            progress=self.progress,
        )
        snapshot, report = corpus.ensure(documents, seed=seed)
        if report is not None:
            log.info("indexed %s: %d chunks in %.1f s", root, report.chunks, report.seconds)
        return snapshot

    def pipeline(self, snapshot: Snapshot, **overrides: Any) -> QAPipeline:
        settings = QASettings().model_copy(update=overrides)
        pipeline = build_pipeline(snapshot, settings, self.models(snapshot, settings.rerank))
        pipeline.warm_up()  # as `citeqa serve` does, so latency is a server's
        return pipeline

    def ask(
        self, dataset: EvalDataset, pipeline: QAPipeline, questions: Sequence[EvalQuestion]
    ) -> EvalRun:
        return run_eval(
            dataset, InProcessTarget(pipeline), questions=questions, progress=self.progress
        )

    def section(self, title: str, table: str, note: str = "") -> None:
        text = f"## {title}\n\n{table}\n" + (f"\n{note}\n" if note else "")
        self.tables.append(text)
        print(text, file=sys.stderr, flush=True)


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


def latency(
    bench: Bench,
    citeqa: EvalRun,
    anchors: dict[str, dict[str, float]],
    in_turns: PairedLatency,
) -> None:
    """Query times from the SQuAD v1.1 runs, and from citeqa and the LangChain anchor timed
    in turns on the same questions (the ratio to trust on a machine whose speed drifts)."""
    langchain = anchors["LangChain"]
    rows = [
        [
            "citeqa /v1/ask (in process)",
            fmt(citeqa.metrics["latency_ms_p50"], "latency"),
            fmt(citeqa.metrics["latency_ms_p95"], "latency"),
            "1.00x",
        ],
        *[
            [
                f"{name} anchor (retrieval)",
                fmt(m["latency_ms_p50"], "latency"),
                fmt(m["latency_ms_p95"], "latency"),
                ratio(citeqa.metrics["latency_ms_p50"], m["latency_ms_p50"]),
            ]
            for name, m in anchors.items()
        ],
    ]
    paired = in_turns.summary()
    bench.results["latency"] = {
        "citeqa_p50": citeqa.metrics["latency_ms_p50"],
        "citeqa_p95": citeqa.metrics["latency_ms_p95"],
        "langchain_p50": langchain["latency_ms_p50"],
        "langchain_p95": langchain["latency_ms_p95"],
        "ratio_p50_to_langchain": round(
            citeqa.metrics["latency_ms_p50"] / langchain["latency_ms_p50"], 3
        )
        if langchain["latency_ms_p50"]
        else None,
        "in_turns_with_langchain": paired,
    }
    bench.section(
        "Query latency (ms, in process, this run)",
        markdown(["system", "p50", "p95", "citeqa p50 / this p50"], rows),
        f"Timed on {describe_machine(machine())}.",
    )
    turns = [
        [
            "citeqa /v1/ask (in process)",
            fmt(paired["citeqa_p50"], "latency"),
            fmt(paired["citeqa_p95"], "latency"),
            "-",
        ],
        [
            "LangChain anchor (retrieval)",
            fmt(paired["anchor_p50"], "latency"),
            fmt(paired["anchor_p95"], "latency"),
            ratio(paired["citeqa_p50"], paired["anchor_p50"])
            + " / "
            + ratio(paired["citeqa_p95"], paired["anchor_p95"]),
        ],
    ]
    bench.section(
        "Query latency, citeqa and the LangChain anchor timed in turns (ms, in process)",
        markdown(["system", "p50", "p95", "citeqa over this (p50 / p95)"], turns),
        f"{paired['questions']} questions of the sample, each asked of both in turn "
        "(bench/paired_latency.py).",
    )


def out_of_corpus(
    bench: Bench, dataset: EvalDataset, full: Snapshot, questions: list[EvalQuestion]
) -> None:
    titles = list(dict.fromkeys(str(d.metadata["article"]) for d in dataset.documents))
    indexed = set(titles[: len(titles) // 2])
    documents = [d for d in dataset.documents if d.metadata["article"] in indexed]
    kept = {d.doc_id for d in documents}
    asked = [
        q if q.gold_doc_ids & kept else EvalQuestion(q.id, q.question, (), True, q.gold_doc_ids)
        for q in questions
    ]
    snapshot = bench.index(documents, bool(full.manifest.multilingual), seed=full.path)
    half = EvalDataset(dataset.path, "squad", dataset.sha256, asked, documents, dataset.version)
    run = bench.ask(half, bench.pipeline(snapshot), asked)
    m = run.metrics
    bench.results["out_of_corpus"] = {
        "metrics": m,
        "articles_indexed": len(indexed),
        "articles_held_out": len(titles) - len(indexed),
    }
    answerable = sum(not q.unanswerable for q in asked)
    rows = [
        [
            str(answerable),
            str(len(asked) - answerable),
            *(
                fmt(m[c], c)
                for c in (
                    "abstain_recall",
                    "false_abstain_rate",
                    "abstain_precision",
                    "abstain_f1",
                    "answer_contains",
                    "hit@5",
                )
            ),
        ]
    ]
    headers = [
        "in-corpus questions",
        "out-of-corpus questions",
        "abstain_recall",
        "false_abstain_rate",
        "abstain_precision",
        "abstain_f1",
        "answer_contains (in-corpus)",
        "hit@5 (in-corpus)",
    ]
    note = (
        f"{len(indexed)} of {len(titles)} v1.1 articles indexed (the first half in file "
        f"order); the sampled questions of the other {len(titles) - len(indexed)} articles "
        "are out of corpus."
    )
    bench.section("Out-of-corpus abstention (SQuAD v1.1)", markdown(headers, rows), note)


def typos(
    bench: Bench, dataset: EvalDataset, snapshot: Snapshot, questions: list[EvalQuestion]
) -> None:
    """The same questions with one typo each, answered without and with spelling correction."""
    rng = random.Random(SEED)
    typed = [replace(q, question=with_typo(q.question, rng)) for q in questions]
    v1 = bench.results["squad_v1"]
    runs = {"as asked": {**v1["citeqa"], "abstained": v1["citeqa_details"]["abstained"]}}
    for name, correction in (("one typo, not corrected", False), ("one typo, corrected", True)):
        pipeline = bench.pipeline(snapshot, spelling_correction=correction)
        run = bench.ask(dataset, pipeline, typed)
        runs[name] = {**run.metrics, "abstained": run.details["abstained"]}
    bench.results["typos"] = runs
    columns = ("hit@5", "mrr@10", "answer_contains", "citation_support", "abstained")
    rows = [
        [name, *(fmt(m.get(c), "abstained_count" if c == "abstained" else c) for c in columns)]
        for name, m in runs.items()
    ]
    note = (
        "SQuAD v1.1 questions of the first table, each with one typo (bench/typos.py: a letter "
        "deleted, doubled, replaced or two swapped, in one word of five letters or more)."
    )
    bench.section("Typos (SQuAD v1.1)", markdown(["questions", *columns], rows), note)


def squad_v2(bench: Bench, path: Path, args: Any) -> None:
    dataset = load_dataset(path)
    questions = _limit(
        sample_questions(dataset.questions, args.sample, answerable_only=False),
        args.limit,
    )
    snapshot = bench.index(
        dataset.documents, multilingual=bench.settings.multilingual_model is not None
    )
    run = bench.ask(dataset, bench.pipeline(snapshot), questions)
    answerable = [q for q in questions if not q.unanswerable]
    never = bench.ask(
        dataset, bench.pipeline(snapshot, abstain_threshold=NEVER_ABSTAIN), answerable
    )
    m = run.metrics
    without = never.metrics["answer_contains"]
    bench.results["squad_v2"] = {
        "metrics": m,
        "answer_contains_without_abstention": without,
        "questions": len(questions),
        "unanswerable": len(questions) - len(answerable),
    }
    rows = [
        [
            str(len(questions)),
            str(len(questions) - len(answerable)),
            *(fmt(m[c], c) for c in ABSTENTION_METRICS),
            fmt(m["answer_contains"]),
            fmt(without),
            f"{m['answer_contains'] - without:+.3f}",
        ]
    ]
    headers = [
        "questions",
        "unanswerable",
        *ABSTENTION_METRICS,
        "answer_contains",
        "answer_contains, never abstaining",
        "cost of abstaining",
    ]
    note = (
        f"All v2.0 questions in file order, shuffled with seed {SEED}, first "
        f"{len(questions)}; its {len(dataset.documents)} paragraphs are the corpus. 'never "
        f"abstaining': the same pipeline with abstain_threshold {NEVER_ABSTAIN:g}, on the "
        "answerable questions."
    )
    bench.section("SQuAD v2.0: unanswerable questions", markdown(headers, rows), note)


def translated(
    bench: Bench, dataset: EvalDataset, snapshot: Snapshot, paths: list[Path], limit: int | None
) -> None:
    by_id = {q.id: q for q in dataset.questions}
    pipeline = bench.pipeline(snapshot)
    rows = []
    results: dict[str, Any] = {}
    for path in paths:
        rows_in = _limit(load_dataset(path).questions, limit)
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
        run = bench.ask(dataset, pipeline, _limit(dataset.questions, limit))
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


def _limit(questions: Sequence[EvalQuestion], limit: int | None) -> list[EvalQuestion]:
    return list(questions if limit is None else questions[:limit])


def _sample_note(args: Any) -> str:
    note = f"sampled as in bench/sampling.py: seed {SEED}, first {args.sample}"
    return note + (f", capped at --limit {args.limit}" if args.limit else "")


def squad_script_parser(doc: str | None, default_out: str) -> argparse.ArgumentParser:
    """The arguments of a script that asks SQuAD v1.1 questions of cached indexes:
    --squad-v1, --index-root, --out and --no-progress (the script adds its own)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0] if doc else None)
    parser.add_argument("--squad-v1", type=Path, required=True, help="SQuAD v1.1 dev JSON")
    parser.add_argument(
        "--index-root", type=Path, help=f"where indexes are cached (default {cache_root()})"
    )
    parser.add_argument("--out", type=Path, default=Path(default_out), help="JSON results file")
    parser.add_argument("--no-progress", action="store_true")
    return parser


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = squad_script_parser(__doc__, "quality.json")
    parser.add_argument("--squad-v2", type=Path, help="SQuAD v2.0 dev JSON (abstention)")
    parser.add_argument(
        "--translated",
        type=Path,
        action="append",
        default=[],
        help="JSONL of v1.1 questions in another language, same ids (repeatable)",
    )
    parser.add_argument("--corpus-dir", type=Path, help="a corpus folder for --corpus-questions")
    parser.add_argument(
        "--corpus-questions",
        type=Path,
        action="append",
        default=[],
        help="JSONL questions about --corpus-dir (repeatable)",
    )
    parser.add_argument(
        "--sample", type=int, default=SAMPLE_SIZE, help="questions sampled with seed 0"
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="also every answerable v1.1 question, in the same run as the sample",
    )
    parser.add_argument("--limit", type=int, help="cap every question set (smoke runs)")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=SKIPPABLE,
        help="leave out a section that repeats the v1.1 questions (repeatable)",
    )
    parser.add_argument("--no-ablation", action="store_true", help="the same as --skip ablation")
    parser.add_argument(
        "--vector-store",
        choices=["faiss", "milvus"],
        help="index backend (default CITEQA_VECTOR_STORE); milvus: Milvus Lite in --index-root",
    )
    args = parser.parse_args(argv)
    if args.corpus_questions and not args.corpus_dir:
        parser.error("--corpus-questions needs --corpus-dir")
    if args.no_ablation:
        args.skip.append("ablation")
    return args


def start_bench(
    index_root: Path | None,
    progress: bool,
    vector_store: Literal["faiss", "milvus"] | None = None,
) -> Bench:
    """A run offline, its logging set up, the models loaded once (indexes cached in
    `index_root`, by default citeqa eval's cache)."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ.setdefault(name, "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    for noisy in ("sentence_transformers", "bm25s", "httpx", "faiss", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = IndexSettings()
    if vector_store:
        settings.vector_store = vector_store
    return Bench(
        settings=settings,
        index_root=index_root or cache_root(),
        progress=progress,
        embedder=make_embedder(settings.embedding_model),
        cross_encoder=CrossEncoder(),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    bench = start_bench(args.index_root, not args.no_progress, args.vector_store)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    dataset = load_dataset(args.squad_v1)
    shuffled = sample_questions(dataset.questions, None)
    questions = _limit(shuffled[: args.sample], args.limit)
    asked = _limit(shuffled, args.limit) if args.all else questions
    v1 = squad_v1(bench, dataset, asked, len(questions), args)
    snapshot, citeqa = v1.snapshot, v1.citeqa
    if "ablation" not in args.skip:
        ablation(bench, dataset, snapshot, questions, citeqa)
    in_turns = time_in_turns(
        InProcessTarget(v1.pipeline).ask, v1.langchain, questions, bench.progress
    )
    latency(bench, citeqa, bench.results["squad_v1"]["anchors"], in_turns)
    if "out-of-corpus" not in args.skip:
        out_of_corpus(bench, dataset, snapshot, questions)
    if "typos" not in args.skip:
        typos(bench, dataset, snapshot, questions)
    if args.squad_v2:
        squad_v2(bench, args.squad_v2, args)
    if args.translated:
        translated(bench, dataset, snapshot, args.translated, args.limit)
        reader_tables(bench, dataset, snapshot, citeqa.judgements, args.translated, args.limit)
    if args.corpus_dir and args.corpus_questions:
        corpus_questions(bench, args.corpus_dir, args.corpus_questions, args.limit)
    bench.results["run"] = {
        "started_at": started,
        "argv": list(argv if argv is not None else sys.argv[1:]),
        "sample": args.sample,
        "all": args.all,
        "seed": SEED,
        "limit": args.limit,
        "skipped": sorted(set(args.skip)),
        "qa_settings": QASettings().model_dump(mode="json"),
        "vector_store": bench.settings.vector_store,
        "versions": versions(snapshot.manifest, rerank=True),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(bench.results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print("\n".join(bench.tables))
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
