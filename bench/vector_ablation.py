"""Which vector kinds retrieval needs: each left out of the same index, on the same questions.

    .venv/bin/python -m bench.vector_ablation --squad-v1 dev-v1.1.json \
        --translated bench/data/squad_translated.ru.jsonl \
        --translated bench/data/squad_translated.kk.jsonl [--sample 2000] [--out FILE]

One index of the SQuAD v1.1 paragraphs with every vector kind (MiniLM chunks and sentences,
multilingual-e5 chunks and sentences) is built (or loaded from the evaluation cache); each
variant answers the seeded sample of questions (and the translated ones) from a copy of it
without some kinds, exactly as an index built without them would: every reader of a kind
(retrieval lists, the sentence prescoring, the cross-script support check) leaves it out
when the snapshot has none. "MiniLM sentence list" keeps those vectors for the prescoring
and removes only their retrieval list (the prescoring reads them unconditionally).
The time each kind costs is bench/index_speed.py's.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/vector_ablation.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qa.retrieval.hybrid as hybrid
from bench.lib.harness import squad_script_parser, start_bench
from bench.lib.sampling import sample_questions
from bench.lib.tables import markdown
from index.building.encode import (
    MULTILINGUAL_CHUNK_VECTORS,
    MULTILINGUAL_SENTENCE_VECTORS,
    SENTENCE_VECTORS,
)
from index.snapshots.snapshot import Snapshot
from qa.eval.datasets import EvalQuestion, load_dataset

METRICS = ("hit@5", "mrr@10", "answer_contains")


@contextmanager
def without_sentence_list() -> Iterator[None]:
    """The main embedder's sentence list left out of retrieval (the vectors stay)."""
    ranking = hybrid.vector_ranking

    def ranked(snapshot: Snapshot, name: str, *args: Any) -> list[int]:
        return [] if name == SENTENCE_VECTORS else ranking(snapshot, name, *args)

    hybrid.vector_ranking = ranked  # type: ignore[assignment]
    try:
        yield
    finally:
        hybrid.vector_ranking = ranking


@contextmanager
def unchanged() -> Iterator[None]:
    yield


VARIANTS: dict[str, tuple[frozenset[str], Callable[[], Any]]] = {
    "all four kinds": (frozenset(), unchanged),
    "without e5 sentences": (frozenset({MULTILINGUAL_SENTENCE_VECTORS}), unchanged),
    "without e5 chunks": (frozenset({MULTILINGUAL_CHUNK_VECTORS}), unchanged),
    "without e5 (chunks and sentences)": (
        frozenset({MULTILINGUAL_CHUNK_VECTORS, MULTILINGUAL_SENTENCE_VECTORS}),
        unchanged,
    ),
    "without the MiniLM sentence list": (frozenset(), without_sentence_list),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = squad_script_parser(__doc__, "vector_ablation.json")
    parser.add_argument("--translated", type=Path, action="append", default=[])
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--variant", action="append", choices=list(VARIANTS))
    args = parser.parse_args(argv)
    bench = start_bench(args.index_root, not args.no_progress)
    dataset = load_dataset(args.squad_v1)
    questions = sample_questions(dataset.questions, None)[: args.sample]
    by_id = {q.id: q for q in dataset.questions}
    translated: dict[str, list[EvalQuestion]] = {}
    for path in args.translated:
        translated[path.name] = [
            EvalQuestion(q.id, q.question, q.answers, q.unanswerable, by_id[q.id].gold_doc_ids)
            for q in load_dataset(path).questions
        ]
    full = bench.index(dataset.documents, multilingual=True)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name in args.variant or list(VARIANTS):
        dropped, patch = VARIANTS[name]
        snapshot = replace(
            full, vectors={k: v for k, v in full.vectors.items() if k not in dropped}
        )
        with patch():
            pipeline = bench.pipeline(snapshot)
            sets = {"SQuAD": questions, **translated}
            results[name] = {
                label: {
                    k: v
                    for k, v in bench.ask(dataset, pipeline, asked).metrics.items()
                    if k in METRICS
                }
                for label, asked in sets.items()
            }
        print(json.dumps({name: results[name]}), file=sys.stderr, flush=True)
    args.out.write_text(json.dumps(results, indent=2), "utf-8")
    labels = list(next(iter(results.values())))
    headers = ["variant"] + [f"{label} {m}" for label in labels for m in METRICS]
    rows = [
        [name] + [f"{r[label][m]:.3f}" for label in labels for m in METRICS]
        for name, r in results.items()
    ]
    print(markdown(headers, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
