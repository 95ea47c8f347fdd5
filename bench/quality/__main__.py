"""`python -m bench.quality`: its arguments, and the sections in their order (the package's
docstring describes them)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.lib.harness import squad_script_parser, start_bench
from bench.lib.sampling import SAMPLE_SIZE, SEED, capped, sample_questions
from bench.quality import __doc__ as package_doc
from bench.quality.abstention import out_of_corpus, squad_v2
from bench.quality.languages import corpus_questions, translated
from bench.quality.latency import latency, time_in_turns
from bench.quality.reader import reader_tables
from bench.quality.squad_v1 import ablation, squad_v1
from bench.quality.typos import typos
from qa.eval.datasets import load_dataset
from qa.eval.targets import InProcessTarget
from qa.eval.versions import versions
from qa.settings import QASettings

SKIPPABLE = ("ablation", "out-of-corpus", "typos")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = squad_script_parser(package_doc, "quality.json")
    parser.prog = "python -m bench.quality"
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


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    bench = start_bench(args.index_root, not args.no_progress, args.vector_store)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    dataset = load_dataset(args.squad_v1)
    shuffled = sample_questions(dataset.questions, None)
    questions = capped(shuffled[: args.sample], args.limit)
    asked = capped(shuffled, args.limit) if args.all else questions
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
