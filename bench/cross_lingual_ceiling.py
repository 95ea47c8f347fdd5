"""How far a better question encoder could take retrieval across languages.

    .venv/bin/python -m bench.cross_lingual_ceiling --squad-v1 dev-v1.1.json \
        --translated bench/data/squad_translated.ru.jsonl \
        --translated bench/data/squad_translated.kk.jsonl [--out FILE]

A question in another language than the documents is searched by the multilingual lists
(its vector against e5's chunk and sentence vectors) and BM25, fused (qa.retrieval.hybrid).
Its vector is the question encoder's, which is trained to put a translation where e5 puts
its English. This script searches each translated question that way with three vectors:
- "question encoder": the encoder's vector of the translation (what citeqa does);
- "e5": e5's own vector of the translation (citeqa without the encoder);
- "perfect encoder": e5's vector of the English original, the place a perfect encoder
  would put the translation (BM25 still reads the translation).
It reports, for each, the share of questions whose paragraph is among the first 1, 5 and
20 fused chunks (before the reader reorders them), and the same for the English originals
searched as English questions are ("English original, in English").
"""

from __future__ import annotations

import json
import sys
from collections.abc import Collection, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/cross_lingual_ceiling.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lib.harness import squad_script_parser, start_bench
from bench.lib.tables import markdown
from index.embedders.base import Embedder
from index.snapshots.snapshot import Snapshot
from qa.eval.datasets import EvalQuestion, load_dataset
from qa.pipeline import QAPipeline

DEPTHS = (1, 5, 20)
SEARCHES = ("question encoder", "e5", "perfect encoder", "English original, in English")


def paragraph_rank(snapshot: Snapshot, rows: Sequence[int], gold: Collection[str]) -> int | None:
    """The 1-based rank of the first chunk from a gold document, if any."""
    return next(
        (i for i, row in enumerate(rows, 1) if snapshot.chunk_document(row).doc_id in gold),
        None,
    )


def across_languages(
    pipeline: QAPipeline, snapshot: Snapshot, vector_text: str, text: str, model: Embedder
) -> list[int]:
    """The fused chunks of a question across languages: `model`'s vector of `vector_text`
    in the multilingual lists, BM25 over `text`."""
    retriever = pipeline.retriever
    depth = pipeline.settings.candidates
    vector = model.embed_queries([vector_text])[0]
    named = retriever.multilingual_rankings(snapshot, vector, None, depth)
    named += retriever.keyword_rankings(snapshot, text, None, depth)
    return [candidate.row for candidate in retriever.fuse(named)]


def in_english(pipeline: QAPipeline, snapshot: Snapshot, text: str) -> list[int]:
    """The fused chunks of an English question over the English paragraphs: every list
    (MiniLM's, e5's when the English lists disagree, BM25)."""
    models = pipeline.models
    retrieval = pipeline.retriever.retrieve(
        snapshot,
        text,
        models.embedder,
        models.multilingual,
        cross_lingual=False,
        allowed=None,
        depth=pipeline.settings.candidates,
        timings={},
    )
    return [candidate.row for candidate in retrieval.candidates]


def ranks(
    pipeline: QAPipeline, snapshot: Snapshot, translated: EvalQuestion, english: EvalQuestion
) -> dict[str, int | None]:
    """Where the gold paragraph is for one translated question, searched each way."""
    models = pipeline.models
    assert models.multilingual is not None  # main() checked both
    assert models.question_encoder is not None
    gold = english.gold_doc_ids
    lists = {
        "question encoder": across_languages(
            pipeline, snapshot, translated.question, translated.question, models.question_encoder
        ),
        "e5": across_languages(
            pipeline, snapshot, translated.question, translated.question, models.multilingual
        ),
        "perfect encoder": across_languages(
            pipeline, snapshot, english.question, translated.question, models.multilingual
        ),
        "English original, in English": in_english(pipeline, snapshot, english.question),
    }
    return {name: paragraph_rank(snapshot, rows, gold) for name, rows in lists.items()}


def shares(found: Sequence[int | None]) -> dict[str, float]:
    """The share of questions with their paragraph within each depth."""
    return {
        f"top {k}": round(sum(r is not None and r <= k for r in found) / len(found), 3)
        for k in DEPTHS
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = squad_script_parser(__doc__, "cross_lingual_ceiling.json")
    parser.add_argument("--translated", type=Path, action="append", required=True)
    args = parser.parse_args(argv)
    bench = start_bench(args.index_root, not args.no_progress)
    dataset = load_dataset(args.squad_v1)
    by_id = {q.id: q for q in dataset.questions}
    snapshot = bench.index(dataset.documents, multilingual=True)
    pipeline = bench.pipeline(snapshot)
    if pipeline.models.multilingual is None or pipeline.models.question_encoder is None:
        raise SystemExit("needs multilingual-e5 and the question encoder")
    results: dict[str, dict[str, dict[str, float]]] = {}
    for path in args.translated:
        asked = [q for q in load_dataset(path).questions if q.id in by_id]
        if not asked:
            raise SystemExit(f"{path}: no question id is in {args.squad_v1}")
        found = [ranks(pipeline, snapshot, q, by_id[q.id]) for q in asked]
        results[path.name] = {name: shares([f[name] for f in found]) for name in SEARCHES}
        results[path.name]["questions"] = {"count": len(asked)}
    args.out.write_text(json.dumps(results, indent=2), "utf-8")
    headers = ["questions", "searched with"] + [f"top {k}" for k in DEPTHS]
    rows = [
        [name, search] + [f"{figures[search][f'top {k}']:.3f}" for k in DEPTHS]
        for name, figures in results.items()
        for search in SEARCHES
    ]
    print(markdown(headers, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
