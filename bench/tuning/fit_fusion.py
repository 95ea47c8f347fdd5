"""Fit the fusion constant and list weights (qa/settings.py) on SQuAD v1.1.

    .venv/bin/python -m bench.tuning.fit_fusion --squad-v1 dev-v1.1.json [--questions 6000] \
        [--held-out 2000] [--top 10] [--out fusion.json]

It prints the best grid points and writes them to `--out`; the best point's values are set
by hand as the defaults of `QASettings` in qa/settings.py (`rrf_k`, `dense_weight`,
`multilingual_weight`, `keyword_weight`). The shipped k 3 and weights 1 / 3 / 3.5 are the
best point of this command with its defaults on SQuAD v1.1 dev (2026-11-30, commit d61b4e3,
8 minutes).

Each question's candidate lists are searched once (`HybridRetriever.rankings`, all groups
on); every point of the grid then fuses them and is scored on the fused list, before
reranking: the objective is hit@5 + MRR@10. The all-MiniLM-L6-v2 weight stays 1 (fusion
only depends on the weights' ratios); the multilingual-e5 weight, the BM25 weight and the
RRF constant k vary. The questions are those after the benchmark's 2,000 (as in
bench/tuning/calibrate.py); the best points and the current settings are also scored on the
benchmark's 2,000, which the fit never reads, as a held-out check.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from tqdm import tqdm

from bench.lib.harness import Bench, squad_script_parser, start_bench
from bench.lib.sampling import SAMPLE_SIZE, sample_questions
from bench.lib.tables import fmt, markdown, write_results
from index.snapshots.snapshot import Snapshot
from qa.eval.datasets import EvalQuestion, load_dataset
from qa.retrieval.hybrid import (
    DENSE,
    KEYWORD,
    MULTILINGUAL,
    HybridRetriever,
    QueryVectors,
    fuse,
)
from qa.settings import QASettings

RRF_KS = (2, 3, 5, 10, 20)
E5_WEIGHTS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0)
KEYWORD_WEIGHTS = (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0)
METRICS = ("hit@1", "hit@5", "mrr@10")


@dataclass(frozen=True, slots=True)
class Lists:
    """One question's candidate lists (group, chunk rows) and the rows of its paragraph."""

    named: list[tuple[str, list[int]]]
    gold: frozenset[int]


@dataclass(frozen=True, slots=True)
class Point:
    rrf_k: int
    multilingual_weight: float
    keyword_weight: float
    dense_weight: float = 1.0

    def weights(self) -> str:
        return f"{self.dense_weight:g} / {self.multilingual_weight:g} / {self.keyword_weight:g}"

    def fuse(self, lists: Lists) -> list[int]:
        weight = {
            DENSE: self.dense_weight,
            MULTILINGUAL: self.multilingual_weight,
            KEYWORD: self.keyword_weight,
        }
        return [candidate.row for candidate in fuse(lists.named, self.rrf_k, weight)[:10]]


def scores(point: Point, questions: Sequence[Lists]) -> dict[str, float]:
    """hit@1, hit@5 and MRR@10 of the fused lists."""
    hit1 = hit5 = reciprocal = 0.0
    for lists in questions:
        rank = next((i for i, row in enumerate(point.fuse(lists)) if row in lists.gold), None)
        if rank is not None:
            hit1 += rank == 0
            hit5 += rank < 5
            reciprocal += 1 / (rank + 1)
    n = max(len(questions), 1)
    return dict(zip(METRICS, (hit1 / n, hit5 / n, reciprocal / n), strict=True))


def objective(metrics: dict[str, float]) -> float:
    return metrics["hit@5"] + metrics["mrr@10"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = squad_script_parser(__doc__, "fusion.json")
    parser.add_argument("--questions", type=int, default=6000, help="questions fitted on")
    parser.add_argument(
        "--held-out",
        type=int,
        default=SAMPLE_SIZE,
        help="the first questions of the seed-0 shuffle, checked on but not fitted on",
    )
    parser.add_argument("--top", type=int, default=10, help="grid points shown")
    args = parser.parse_args(argv)
    bench = start_bench(args.index_root, not args.no_progress)
    dataset = load_dataset(args.squad_v1)
    shuffled = sample_questions(dataset.questions, None)
    snapshot = bench.index(dataset.documents, multilingual=True)
    fit_on = searched_lists(bench, snapshot, shuffled[args.held_out :][: args.questions])
    held_out = searched_lists(bench, snapshot, shuffled[: args.held_out])
    grid = [Point(*values) for values in itertools.product(RRF_KS, E5_WEIGHTS, KEYWORD_WEIGHTS)]
    best = sorted(grid, key=lambda point: -objective(scores(point, fit_on)))[: args.top]
    current = QASettings()
    shown = [("current", _point(current))]
    shown += [(f"#{rank}", point) for rank, point in enumerate(best, start=1)]
    rows, results = [], []
    for label, point in shown:
        fitted, held = scores(point, fit_on), scores(point, held_out)
        rows.append([label, str(point.rrf_k), point.weights(), *_cells(fitted), *_cells(held)])
        results.append({"label": label, **asdict(point), "fit": fitted, "held_out": held})
    headers = ["", "k", "weights MiniLM / e5 / BM25"]
    headers += [f"{part} {metric}" for part in ("fit", "held-out") for metric in METRICS]
    print(
        f"## Fusion grid: fitted on {len(fit_on)} questions, checked on {len(held_out)}\n\n"
        + markdown(headers, rows)
    )
    write_results(args.out, {"data": str(args.squad_v1), "points": results})
    return 0


def searched_lists(bench: Bench, snapshot: Snapshot, questions: list[EvalQuestion]) -> list[Lists]:
    """Every question's candidate lists, all groups on."""
    assert bench.multilingual is not None
    retriever = HybridRetriever(QASettings(dense_weight=1, multilingual_weight=1, keyword_weight=1))
    texts = [q.question for q in questions]
    main_vectors = bench.embedder.embed_queries(texts)
    e5_vectors = bench.multilingual.embed_queries(texts)
    searched = []
    for i, question in enumerate(tqdm(questions, desc="lists", disable=not bench.progress)):
        vectors = QueryVectors(main_vectors[i], e5_vectors[i])
        named = retriever.rankings(snapshot, question.question, vectors)
        gold = frozenset(
            row
            for _, ranking in named
            for row in ranking
            if snapshot.chunk_document(row).doc_id in question.gold_doc_ids
        )
        searched.append(Lists(named, gold))
    return searched


def _point(settings: QASettings) -> Point:
    """`settings`' fusion as a grid point: weights scaled so that MiniLM's is 1."""
    scale = settings.dense_weight or 1.0
    return Point(
        rrf_k=settings.rrf_k,
        multilingual_weight=settings.multilingual_weight / scale,
        keyword_weight=settings.keyword_weight / scale,
        dense_weight=settings.dense_weight / scale,
    )


def _cells(metrics: dict[str, float]) -> list[str]:
    return [fmt(metrics[metric]) for metric in METRICS]


if __name__ == "__main__":
    raise SystemExit(main())
