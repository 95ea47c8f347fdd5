"""How far a better question encoder could take retrieval across languages.

    .venv/bin/python -m bench.cross_lingual_ceiling --squad-v1 dev-v1.1.json \
        --translated bench/data/squad_translated.ru.jsonl \
        --back-translated bench/data/squad_translated.kk.jsonl \
            bench/data/squad_translated.kk.en.jsonl [--out FILE]

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

The perfect encoder is generous: it knows the original's very words, which a translation has
lost. `--back-translated TRANSLATED ENGLISH` adds, for a translated file, an English
translation of its questions made from them without the original (a file of the same
format), searched both ways: e5's vector of it in the multilingual lists ("translated
back, as a perfect encoder") and as an English question ("translated back, in English").
Those are where a question encoder as good as a human translator, and a perfect
translate-the-question system, would stand.
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
BACK_SEARCHES = ("translated back, as a perfect encoder", "translated back, in English")


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
    pipeline: QAPipeline,
    snapshot: Snapshot,
    translated: EvalQuestion,
    english: EvalQuestion,
    back: str | None = None,
) -> dict[str, int | None]:
    """Where the gold paragraph is for one translated question, searched each way (and by
    `back`, an English translation of it made without the original, when given)."""
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
    if back is not None:
        lists[BACK_SEARCHES[0]] = across_languages(
            pipeline, snapshot, back, translated.question, models.multilingual
        )
        lists[BACK_SEARCHES[1]] = in_english(pipeline, snapshot, back)
    return {name: paragraph_rank(snapshot, rows, gold) for name, rows in lists.items()}


def read_back_translations(path: Path) -> dict[str, str]:
    """Question id -> its English translation, from a translated file (qa.eval.datasets)."""
    return {q.id: q.question for q in load_dataset(path).questions}


def shares(found: Sequence[int | None]) -> dict[str, float]:
    """The share of questions with their paragraph within each depth."""
    return {
        f"top {k}": round(sum(r is not None and r <= k for r in found) / len(found), 3)
        for k in DEPTHS
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = squad_script_parser(__doc__, "cross_lingual_ceiling.json")
    parser.add_argument("--translated", type=Path, action="append", default=[])
    parser.add_argument(
        "--back-translated",
        type=Path,
        nargs=2,
        action="append",
        default=[],
        metavar=("TRANSLATED", "ENGLISH"),
        help="a translated file and a file of its questions translated into English",
    )
    args = parser.parse_args(argv)
    backs = {
        translated: read_back_translations(english) for translated, english in args.back_translated
    }
    if not args.translated and not backs:
        parser.error("give --translated or --back-translated")
    dataset = load_dataset(args.squad_v1)
    by_id = {q.id: q for q in dataset.questions}
    asked: dict[Path, list[EvalQuestion]] = {}
    for path in dict.fromkeys([*args.translated, *backs]):
        asked[path] = [q for q in load_dataset(path).questions if q.id in by_id]
        if not asked[path]:
            raise SystemExit(f"{path}: no question id is in {args.squad_v1}")
        if path in backs and (missing := [q.id for q in asked[path] if q.id not in backs[path]]):
            raise SystemExit(f"{path}: no English translation of {len(missing)} questions")
    bench = start_bench(args.index_root, not args.no_progress)
    snapshot = bench.index(dataset.documents, multilingual=True)
    pipeline = bench.pipeline(snapshot)
    if pipeline.models.multilingual is None or pipeline.models.question_encoder is None:
        raise SystemExit("needs multilingual-e5 and the question encoder")
    results: dict[str, dict[str, dict[str, float]]] = {}
    for path, questions in asked.items():
        back = backs.get(path)
        found = [
            ranks(pipeline, snapshot, q, by_id[q.id], None if back is None else back[q.id])
            for q in questions
        ]
        searches = SEARCHES + BACK_SEARCHES if back is not None else SEARCHES
        results[path.name] = {name: shares([f[name] for f in found]) for name in searches}
        results[path.name]["questions"] = {"count": len(questions)}
    args.out.write_text(json.dumps(results, indent=2), "utf-8")
    headers = ["questions", "searched with"] + [f"top {k}" for k in DEPTHS]
    rows = [
        [name, search] + [f"{figures[search][f'top {k}']:.3f}" for k in DEPTHS]
        for name, figures in results.items()
        for search in [*SEARCHES, *BACK_SEARCHES]
        if search in figures
    ]
    print(markdown(headers, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
