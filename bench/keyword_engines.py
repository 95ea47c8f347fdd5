"""The keyword side on Milvus: citeqa's local BM25 (bm25s) against Milvus's own BM25.

    .venv/bin/python bench/keyword_engines.py --squad-v1 dev-v1.1.json [--questions 2000] \
        [--index-dir DIR] [--work DIR] [--out keyword_engines.json]

Both engines index the same chunks (those of a citeqa index of the SQuAD paragraphs: the
cached one `citeqa eval` and bench/quality.py build, or `--index-dir`) and answer the same
questions (sampled with seed 0, bench/sampling.py); a hit is a chunk of the question's
paragraph. Milvus's side is a collection with a BM25 function (English analyzer) over the
chunk text and a sparse inverted index, in Milvus Lite (the `milvus` extra).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/keyword_engines.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sampling import SAMPLE_SIZE, sample_questions
from bench.tables import markdown
from index.settings import IndexSettings
from index.snapshot import Snapshot
from qa.eval.corpus_index import CorpusIndex, default_index_dir
from qa.eval.datasets import EvalQuestion, load_dataset
from qa.eval.metrics import first_relevant_rank, hit_at_k, mean, percentile

Search = Callable[[str], list[int]]


def milvus_search(snapshot: Snapshot, folder: Path) -> Search:
    """A Milvus Lite collection of the snapshot's chunks with Milvus's BM25 function."""
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    logging.getLogger("pymilvus").setLevel(logging.ERROR)
    client = MilvusClient(str(folder / "keyword.db"))
    schema = client.create_schema()
    schema.add_field("row", DataType.INT64, is_primary=True)
    schema.add_field(
        "text",
        DataType.VARCHAR,
        max_length=65535,
        enable_analyzer=True,
        analyzer_params={"type": "english"},
    )
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(
        Function(
            name="bm25",
            input_field_names=["text"],
            output_field_names=["sparse"],
            function_type=FunctionType.BM25,
        )
    )
    index = client.prepare_index_params()
    index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    client.create_collection("keyword", schema=schema, index_params=index)
    rows = range(len(snapshot.chunk_ids))
    for start in range(0, len(rows), 1000):
        batch = rows[start : start + 1000]
        client.insert("keyword", [{"row": r, "text": snapshot.chunk_text(r)} for r in batch])

    def search(question: str) -> list[int]:
        hits = client.search("keyword", [question], anns_field="sparse", limit=10)[0]
        return [int(hit["id"]) for hit in hits]

    return search


def local_search(snapshot: Snapshot) -> Search:
    def search(question: str) -> list[int]:
        return [int(r) for r in snapshot.keyword.search(question, 10)[1] if r >= 0]

    return search


def measure(search: Search, snapshot: Snapshot, questions: list[EvalQuestion]) -> dict[str, float]:
    """hit@1, hit@5 and query latency of one engine."""
    doc_of = [snapshot.chunk_document(r).doc_id for r in range(len(snapshot.chunk_ids))]
    ranks: list[int | None] = []
    latencies = []
    for question in questions:
        started = time.perf_counter()
        rows = search(question.question)
        latencies.append((time.perf_counter() - started) * 1000)
        ranks.append(first_relevant_rank([doc_of[r] in question.gold_doc_ids for r in rows]))
    return {
        "hit@1": mean([hit_at_k(rank, 1) for rank in ranks]),
        "hit@5": mean([hit_at_k(rank, 5) for rank in ranks]),
        "latency_ms_p50": percentile(latencies, 50),
        "latency_ms_p95": percentile(latencies, 95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--squad-v1", type=Path, required=True)
    parser.add_argument("--questions", type=int, default=SAMPLE_SIZE)
    parser.add_argument("--index-dir", type=Path, help="a citeqa index of the paragraphs")
    parser.add_argument("--work", type=Path, help="folder for Milvus Lite (default: temporary)")
    parser.add_argument("--out", type=Path, default=Path("keyword_engines.json"))
    args = parser.parse_args()
    dataset = load_dataset(args.squad_v1)
    settings = IndexSettings()
    multilingual = settings.multilingual_model is not None
    root = args.index_dir or default_index_dir(dataset.documents, settings, multilingual)
    snapshot, _ = CorpusIndex(root, settings, multilingual=multilingual).ensure(dataset.documents)
    questions = sample_questions(dataset.questions, args.questions)
    work = args.work or Path(tempfile.mkdtemp(prefix="citeqa-keyword-"))
    work.mkdir(parents=True, exist_ok=True)
    results = {
        "bm25s (local, citeqa)": measure(local_search(snapshot), snapshot, questions),
        "Milvus BM25 full-text": measure(milvus_search(snapshot, work), snapshot, questions),
    }
    args.out.write_text(json.dumps({"questions": len(questions), "engines": results}, indent=2))
    headers = ["engine", "hit@1", "hit@5", "p50 ms", "p95 ms"]
    table = [
        [name, *(f"{r[k]:.3f}" for k in ("hit@1", "hit@5"))]
        + [f"{r[k]:.2f}" for k in ("latency_ms_p50", "latency_ms_p95")]
        for name, r in results.items()
    ]
    print(markdown(headers, table))
    print(f"{len(questions)} questions, {len(snapshot.chunk_ids)} chunks")


if __name__ == "__main__":
    main()
