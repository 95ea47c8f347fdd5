"""Abstention sections: out-of-corpus questions (half of the SQuAD v1.1 articles indexed)
and SQuAD v2.0's unanswerable questions, with what abstaining costs on the answerable ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.lib.harness import Bench
from bench.lib.sampling import SEED, capped, sample_questions
from bench.lib.tables import fmt, markdown
from index.snapshots.snapshot import Snapshot
from qa.eval.aggregate import ABSTENTION_METRICS
from qa.eval.datasets import EvalDataset, EvalQuestion, load_dataset

NEVER_ABSTAIN = -1e9


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


def squad_v2(bench: Bench, path: Path, args: Any) -> None:
    dataset = load_dataset(path)
    questions = capped(
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
