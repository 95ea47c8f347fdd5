"""Peak memory of `citeqa index` against the size of the corpus it indexes.

    .venv/bin/python -m bench.index_memory --squad dev-v1.1.json --times 1 10 \
        [--paragraphs N] [--no-multilingual] [--vector-store faiss|milvus] [--work DIR]
        [--out index_memory.json]

For each N of `--times`, the SQuAD paragraphs are written N times as .txt files (each copy
opened by "Copy k.", so no two documents share a content hash), and `citeqa index` runs on
them as a child process into a fresh index folder. Its peak resident memory is the kernel's
(`wait4`'s maximum resident set size, as `/usr/bin/time -v` reports it); its resident memory
is also sampled every 0.2 s for the peak so far at each quarter of the run. Target: the 10x
run's peak within 10% of the 1x run's (docs/indexing.md#memory).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.lib.server_process import memory_kib
from bench.lib.tables import markdown

MIB = 1024 * 1024


def write_corpus(squad: Path, times: int, folder: Path, paragraphs: int | None) -> tuple[int, int]:
    """The (first `paragraphs`) paragraphs of `squad`, `times` over, as text files named
    after their article's title; returns (documents, bytes of text)."""
    data = json.loads(squad.read_text("utf-8"))
    texts = [
        (f"a{a:03d}-p{p:03d}", article["title"].replace("_", " "), paragraph["context"])
        for a, article in enumerate(data["data"])
        for p, paragraph in enumerate(article["paragraphs"])
    ][:paragraphs]
    folder.mkdir(parents=True, exist_ok=True)
    size = 0
    for copy in range(times):
        for name, title, context in texts:
            text = f"{title}\n\nCopy {copy}. {context}\n"
            (folder / f"c{copy:02d}-{name}.txt").write_text(text, "utf-8")
            size += len(text.encode("utf-8"))
    return times * len(texts), size


def run_index(corpus: Path, index_dir: Path, env: dict[str, str]) -> dict[str, Any]:
    """`citeqa index` on `corpus`: its duration, its peak resident memory, and the peak so
    far at each quarter of the run (flat after the first quarter if memory is bounded)."""
    command = [sys.executable, "-m", "api.cli", "index", "--corpus", str(corpus)]
    command += ["--index-dir", str(index_dir)]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    timeline: list[tuple[float, int]] = []
    while True:
        # wait4, not Popen.poll: it also returns the child's own resource usage.
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)
            break
        with contextlib.suppress(OSError, KeyError):  # it is ending
            timeline.append((time.perf_counter() - started, memory_kib(child.pid)["VmHWM"]))
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"citeqa index failed with status {child.returncode}")
    peak_kib = usage.ru_maxrss
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "peak_rss_by_quarter_mib": [
            round(max((p for t, p in timeline if t <= seconds * q / 4), default=0) / 1024, 1)
            for q in (1, 2, 3, 4)
        ],
    }


def table(rows: list[dict[str, Any]]) -> str:
    headers = ["corpus", "documents", "text MiB", "index s", "peak RSS MiB", "vs 1x"]
    headers += ["peak so far at 1/4, 1/2, 3/4 of the run MiB"]
    first = rows[0]["peak_rss_mib"]
    return markdown(
        headers,
        [
            [
                f"{r['times']}x",
                str(r["documents"]),
                f"{r['corpus_mib']:.2f}",
                str(r["seconds"]),
                str(r["peak_rss_mib"]),
                f"{r['peak_rss_mib'] / first:.2f}x",
                " / ".join(str(v) for v in r["peak_rss_by_quarter_mib"][:3]),
            ]
            for r in rows
        ],
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--squad", type=Path, required=True, help="SQuAD JSON (v1.1 dev)")
    parser.add_argument("--times", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--paragraphs", type=int, help="only the first N paragraphs, N times")
    parser.add_argument("--no-multilingual", action="store_true", help="English vectors only")
    parser.add_argument("--vector-store", choices=["faiss", "milvus"], default="faiss")
    parser.add_argument("--work", type=Path, default=Path("index-memory"))
    parser.add_argument("--out", type=Path, default=Path("index_memory.json"))
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    for times in sorted(args.times):
        corpus, index_dir = args.work / f"corpus-x{times}", args.work / f"index-x{times}"
        documents, size = write_corpus(args.squad, times, corpus, args.paragraphs)
        env = dict(os.environ, CITEQA_VECTOR_STORE=args.vector_store)
        env.setdefault("HF_HUB_OFFLINE", "1")
        if args.no_multilingual:
            env["CITEQA_MULTILINGUAL_MODEL"] = ""
        if args.vector_store == "milvus":
            env["CITEQA_MILVUS_URI"] = str(index_dir / "milvus.db")
        measured = run_index(corpus, index_dir, env)
        rows.append({"times": times, "documents": documents, "corpus_mib": size / MIB, **measured})
        print(json.dumps(rows[-1]), file=sys.stderr)
    args.out.write_text(json.dumps({"vector_store": args.vector_store, "runs": rows}, indent=2))
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
