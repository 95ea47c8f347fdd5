"""Kazakh and Russian corpora: citeqa beside BM25 on corpus test sets, per language.

    .venv/bin/python -m bench.corpora --set bench/data/corpora/kk --set bench/data/corpora/ru \
        [--kazqad KAZQAD_VALIDATION.jsonl] [--half a|b] [--limit N] [--index-root DIR] \
        [--out corpora.json]

Each `--set` (bench/lib/corpus_sets.py) is indexed as `citeqa index` would index its corpus
folder, and its questions are asked in process. Reported per set, beside the BM25 anchor
(bench/anchors, on its own 1,000-character chunks; for a Russian set also with the Russian
stemmer): hit@1, hit@5, MRR@10 (a hit is a passage of a gold document), answer_contains,
citation_support, abstention recall and false abstention rate, and what the answers quote:
- junk quotes: answers citing a "sentence" of fewer than 3 letters ("-", "1.", "* * *");
  junk in the top 10: questions with such a sentence among the 10 best scored ones;
- cut quotes: citations that a line break cuts mid-sentence (the quote stops where the
  next line goes on in lower case, or starts in lower case after a line break).
BM25 never abstains. `--half` keeps the questions of one half of the articles
(bench/lib/corpus_sets.half_of): fit thresholds on one half, report the other. Every
question's confidence, language and half are in the JSON file, for such fitting.

`--kazqad` adds the whole KazQAD validation file as SQuAD (bench/lib/kazqad.py: 697
paragraphs, 764 rows), the setting of issue 36's first measurements.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.anchors.base import AnchorChunk, textbook_chunks
from bench.anchors.bm25_anchor import BM25Anchor
from bench.anchors.evaluate import evaluate_anchor
from bench.lib.corpus_sets import CorpusSet, half_of, in_half, load_set
from bench.lib.harness import Bench, start_bench
from bench.lib.kazqad import read_rows, squad_data
from bench.lib.tables import fmt, markdown, ratio, write_results
from index.snapshots.snapshot import Snapshot
from qa.eval.datasets import EvalDataset, EvalQuestion, parse_squad
from qa.eval.runner import EvalRun, run_eval
from qa.eval.targets import InProcessTarget
from qa.eval.versions import describe_machine, machine, versions
from qa.pipeline import QAPipeline
from qa.rerank.sentences import ScoredSentence

JUNK_LETTERS = 3
TOP = 10
_CUT_AFTER = re.compile(r"[ \t]*\r?\n[ \t]*(\S)")
_CUT_BEFORE = re.compile(r"\S[ \t]*\r?\n[ \t]*\Z")
METRICS = (
    "hit@1",
    "hit@5",
    "mrr@10",
    "answer_contains",
    "citation_support",
    "abstain_recall",
    "false_abstain_rate",
    "latency_ms_p50",
)


def letters(text: str) -> int:
    return sum(char.isalpha() for char in text)


def is_junk(text: str) -> bool:
    """A "sentence" that says nothing: fewer than JUNK_LETTERS letters."""
    return letters(text) < JUNK_LETTERS


def cut_by_line_break(text: str, start: int, end: int) -> bool:
    """`text[start:end]` stops at a line break inside a sentence (the next line goes on in
    lower case) or starts in lower case right after a line break."""
    after = _CUT_AFTER.match(text, end)
    if after is not None and after.group(1).islower():
        return True
    quote = text[start:end].lstrip()
    return bool(quote) and quote[0].islower() and _CUT_BEFORE.search(text, 0, start) is not None


class RecordingReranker:
    """The pipeline's reranker, keeping the sentences it scored for the last question."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.last: list[ScoredSentence] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def rerank(self, *args: Any, **kwargs: Any) -> Any:
        ranking = self.inner.rerank(*args, **kwargs)
        self.last = list(ranking.sentences)
        return ranking


class RecordingTarget(InProcessTarget):
    """Asks like `citeqa eval` in process; notes whether a junk sentence was in the top 10."""

    def __init__(self, pipeline: QAPipeline) -> None:
        super().__init__(pipeline)
        self.recorder = RecordingReranker(pipeline.reranker)
        pipeline.reranker = self.recorder  # type: ignore[assignment]
        self.junk_in_top: list[bool] = []

    def ask(self, question: str) -> Any:
        reply = super().ask(question)
        snapshot = self.pipeline.snapshot
        top = self.recorder.last[:TOP]
        self.junk_in_top.append(any(is_junk(snapshot.sentence_text(s.row)) for s in top))
        return reply


def quote_measures(run: EvalRun, snapshot: Snapshot) -> dict[str, float]:
    """Junk and cut quotes among the answers' citations."""
    answered = [j for j in run.judgements if not j.answer.abstained]
    citations = [c for j in answered for c in j.answer.citations]
    junk = [any(is_junk(c.quote) for c in j.answer.citations) for j in answered]
    cut = []
    for citation in citations:
        document = snapshot.document(citation.doc_id)
        assert document is not None
        cut.append(cut_by_line_break(document.text, citation.start, citation.end))
    return {
        "answered": len(answered),
        "citations": len(citations),
        "junk_answers": _share(junk),
        "junk_answers_count": sum(junk),
        "cut_quotes": _share(cut),
        "cut_quotes_count": sum(cut),
    }


def _share(flags: Sequence[bool]) -> float:
    return round(sum(flags) / len(flags), 4) if flags else 0.0


def per_question(run: EvalRun, corpus_set: CorpusSet | None) -> list[dict[str, Any]]:
    """What fitting an abstention threshold needs, per question."""
    rows = []
    for judgement in run.judgements:
        question = judgement.question
        article = corpus_set.articles.get(question.id, "") if corpus_set else ""
        rows.append(
            {
                "id": question.id,
                "lang": corpus_set.languages.get(question.id, "") if corpus_set else "",
                "half": half_of(article) if article else None,
                "answerable": judgement.answerable,
                "abstained": judgement.answer.abstained,
                "confidence": round(judgement.answer.confidence, 4),
                "answer_contains": judgement.answer_contains,
                "first_hit_rank": judgement.first_hit_rank,
            }
        )
    return rows


def ask_all(
    bench: Bench, dataset: EvalDataset, questions: Sequence[EvalQuestion], multilingual: bool
) -> tuple[EvalRun, Snapshot, list[bool]]:
    snapshot = bench.index(dataset.documents, multilingual)
    target = RecordingTarget(bench.pipeline(snapshot))
    run = run_eval(dataset, target, questions=questions, progress=bench.progress)
    return run, snapshot, target.junk_in_top


def anchors(
    documents_of: EvalDataset, questions: Sequence[EvalQuestion], russian: bool, progress: bool
) -> dict[str, dict[str, float]]:
    chunks: list[AnchorChunk] = textbook_chunks(documents_of.documents)
    runs = {"BM25 (bm25s)": evaluate_anchor(BM25Anchor(chunks), questions, progress).metrics()}
    if russian:
        stemmed = BM25Anchor(chunks, language="russian")
        runs["BM25, Russian stemmer"] = evaluate_anchor(stemmed, questions, progress).metrics()
    return runs


def table(
    bench: Bench,
    title: str,
    citeqa: EvalRun,
    bm25: dict[str, dict[str, float]],
    quotes: dict[str, float],
    junk_in_top: list[bool],
    note: str,
) -> None:
    """citeqa's metrics beside each BM25 anchor's, then what the answers quote."""
    with_abstention = "abstain_recall" in citeqa.metrics
    rows = []
    for metric in METRICS:
        if metric.startswith(("abstain", "false_abstain")) and not with_abstention:
            continue
        value = citeqa.metrics.get(metric)
        never = metric in ("abstain_recall", "false_abstain_rate")
        values = [0.0 if never else a.get(metric) for a in bm25.values()]
        rows.append(
            [
                metric,
                fmt(value, metric),
                *(fmt(v, metric) if v is not None else "-" for v in values),
                *(ratio(value, v) if metric.startswith(("hit", "mrr")) else "-" for v in values),
            ]
        )
    rows.append(
        ["junk quotes (share of answers)", fmt(quotes["junk_answers"]), *["-"] * 2 * len(bm25)]
    )
    rows.append(
        [
            "junk in the top 10 (share of questions)",
            fmt(_share(junk_in_top)),
            *["-"] * 2 * len(bm25),
        ]
    )
    rows.append(
        ["cut quotes (share of citations)", fmt(quotes["cut_quotes"]), *["-"] * 2 * len(bm25)]
    )
    headers = ["metric", "citeqa", *bm25, *(f"citeqa / {name}" for name in bm25)]
    bench.section(title, markdown(headers, rows), note)


def corpus_set_section(
    bench: Bench, folder: Path, half: str | None, limit: int | None
) -> dict[str, Any]:
    corpus_set = load_set(folder, bench.settings)
    questions = in_half(corpus_set, half)  # type: ignore[arg-type]
    questions = questions[:limit] if limit else questions
    languages = Counter(corpus_set.languages[q.id] for q in questions)
    russian = languages.most_common(1)[0][0] == "ru" if languages else False
    run, snapshot, junk_in_top = ask_all(bench, corpus_set.dataset, questions, True)
    bm25 = anchors(corpus_set.dataset, questions, russian, bench.progress)
    quotes = quote_measures(run, snapshot)
    answerable = sum(not q.unanswerable for q in questions)
    note = (
        f"{len(corpus_set.documents)} documents ({len(snapshot)} citeqa chunks), "
        f"{answerable} answerable and {len(questions) - answerable} unanswerable questions"
        f"{f' (half {half})' if half else ''}; languages {dict(languages)}. "
        f"{quotes['junk_answers_count']} of {quotes['answered']} answers quote junk; "
        f"{quotes['cut_quotes_count']} of {quotes['citations']} quotes are cut by a line break."
    )
    table(bench, f"Corpus set {folder}", run, bm25, quotes, junk_in_top, note)
    return {
        "folder": str(folder),
        "questions": len(questions),
        "languages": dict(languages),
        "citeqa": run.metrics,
        "citeqa_details": run.details,
        "anchors": bm25,
        "quotes": quotes,
        "junk_in_top10": _share(junk_in_top),
        "per_question": per_question(run, corpus_set),
    }


def kazqad_section(bench: Bench, path: Path, limit: int | None) -> dict[str, Any]:
    dataset = parse_squad(squad_data(read_rows(path)), path, "")
    questions = dataset.questions[:limit] if limit else dataset.questions
    run, snapshot, junk_in_top = ask_all(bench, dataset, questions, True)
    bm25 = anchors(dataset, questions, False, bench.progress)
    quotes = quote_measures(run, snapshot)
    note = (
        f"Every KazQAD validation paragraph ({len(dataset.documents)}; {len(snapshot)} citeqa "
        f"chunks) indexed, its {len(questions)} rows asked (a question with several "
        "paragraphs once for each, a hit being a passage of the row's paragraph); all "
        f"answerable. {quotes['junk_answers_count']} of {quotes['answered']} answers quote junk."
    )
    table(bench, "KazQAD validation as SQuAD", run, bm25, quotes, junk_in_top, note)
    return {
        "questions": len(questions),
        "citeqa": run.metrics,
        "citeqa_details": run.details,
        "anchors": bm25,
        "quotes": quotes,
        "junk_in_top10": _share(junk_in_top),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--set", type=Path, action="append", default=[], dest="sets")
    parser.add_argument("--kazqad", type=Path, help="KazQAD reading-comprehension JSONL")
    parser.add_argument("--half", choices=["a", "b"], help="one half of the articles")
    parser.add_argument("--limit", type=int, help="questions per set (smoke runs)")
    parser.add_argument("--index-root", type=Path, help="where indexes are cached")
    parser.add_argument("--out", type=Path, default=Path("corpora.json"))
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if not args.sets and not args.kazqad:
        parser.error("give at least one --set or --kazqad")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    bench = start_bench(args.index_root, not args.no_progress)
    results: dict[str, Any] = {"sets": {}}
    for folder in args.sets:
        results["sets"][folder.name] = corpus_set_section(bench, folder, args.half, args.limit)
    if args.kazqad:
        results["kazqad"] = kazqad_section(bench, args.kazqad, args.limit)
    results["run"] = {
        "started_at": started,
        "argv": list(argv if argv is not None else sys.argv[1:]),
        "machine": describe_machine(machine()),
        "versions": versions(rerank=True),
    }
    print("\n".join(bench.tables))
    print(f"Run {started} on {describe_machine(machine())}.")
    write_results(args.out, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
