"""Peak memory of `citeqa index` against the size of the corpus it indexes.

    .venv/bin/python bench/index_memory.py --squad dev-v1.1.json --times 1 10 \
        [--paragraphs N] [--vector-store milvus] [--work DIR] [--out index_memory.json]

For each N of `--times`, the SQuAD paragraphs are written N times as .txt files with
distinct names (a corpus N times the dev set), `citeqa index` runs on it as a child process
in a fresh index folder, and the resident memory of the process tree is sampled every
0.2 s: the peak of citeqa itself and, with Milvus Lite, of the engine's own process. The
indexer streams documents and embeds in batches, so its peak should not grow with N; the
engine holds what it stores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/index_memory.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server_process import memory_kib
from bench.tables import markdown

MIB = 1024 * 1024


def write_corpus(squad: Path, times: int, folder: Path, paragraphs: int | None) -> tuple[int, int]:
    """The (first `paragraphs`) paragraphs of `squad`, `times` over, as text files;
    returns (documents, bytes of text)."""
    data = json.loads(squad.read_text("utf-8"))
    texts = [
        (f"a{a:03d}-p{p:03d}", paragraph["context"])
        for a, article in enumerate(data["data"])
        for p, paragraph in enumerate(article["paragraphs"])
    ][:paragraphs]
    folder.mkdir(parents=True, exist_ok=True)
    for copy in range(times):
        for name, text in texts:
            (folder / f"c{copy:02d}-{name}.txt").write_text(text, "utf-8")
    return times * len(texts), times * sum(len(text.encode("utf-8")) for _, text in texts)


def rss(pid: int) -> int:
    """Resident memory of a process in bytes (0 once it is gone)."""
    try:
        return memory_kib(pid).get("VmRSS", 0) * 1024
    except OSError:
        return 0


def descendants(pid: int) -> list[int]:
    """Every process started, directly or not, by `pid`."""
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            queue += children
    return found


def run_index(corpus: Path, index_dir: Path, env: dict[str, str]) -> dict[str, Any]:
    """`citeqa index` on `corpus`: its duration, the peak RSS of citeqa and the engine, and
    citeqa's peak so far at each quarter of the run (flat once the models and the first
    batches are in memory, if memory is bounded)."""
    command = [sys.executable, "-m", "api.cli", "index", "--corpus", str(corpus)]
    command += ["--index-dir", str(index_dir)]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    peak_citeqa = peak_engine = 0
    timeline: list[tuple[float, int]] = []
    while child.poll() is None:
        peak_citeqa = max(peak_citeqa, rss(child.pid))
        peak_engine = max(peak_engine, sum(rss(pid) for pid in descendants(child.pid)))
        timeline.append((time.perf_counter() - started, peak_citeqa))
        time.sleep(0.2)
    if child.returncode != 0:
        raise SystemExit(f"citeqa index failed with status {child.returncode}")
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 1),
        "peak_rss_citeqa_mib": round(peak_citeqa / MIB, 1),
        "peak_rss_engine_mib": round(peak_engine / MIB, 1),
        "peak_rss_citeqa_by_quarter_mib": [
            round(max((p for t, p in timeline if t <= seconds * q / 4), default=0) / MIB, 1)
            for q in (1, 2, 3, 4)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--squad", type=Path, required=True, help="SQuAD JSON (v1.1 dev)")
    parser.add_argument("--times", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--paragraphs", type=int, help="only the first N paragraphs, N times")
    parser.add_argument("--vector-store", choices=["faiss", "milvus"], default="milvus")
    parser.add_argument("--work", type=Path, default=Path("index-memory"))
    parser.add_argument("--out", type=Path, default=Path("index_memory.json"))
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    for times in args.times:
        corpus, index_dir = args.work / f"corpus-x{times}", args.work / f"index-x{times}"
        documents, size = write_corpus(args.squad, times, corpus, args.paragraphs)
        env = dict(os.environ, CITEQA_VECTOR_STORE=args.vector_store)
        env.setdefault("HF_HUB_OFFLINE", "1")
        if args.vector_store == "milvus":
            env["CITEQA_MILVUS_URI"] = str(index_dir / "milvus.db")
        measured = run_index(corpus, index_dir, env)
        rows.append({"times": times, "documents": documents, "corpus_mib": size / MIB, **measured})
        print(json.dumps(rows[-1]), file=sys.stderr)
    args.out.write_text(json.dumps({"vector_store": args.vector_store, "runs": rows}, indent=2))
    headers = ["corpus", "documents", "text MiB", "index s", "peak RSS citeqa MiB"]
    headers += ["peak RSS engine MiB", "citeqa peak by 1/4, 1/2, 3/4 of the run MiB"]
    table = [
        [f"{r['times']}x", str(r["documents"]), f"{r['corpus_mib']:.2f}"]
        + [str(r[k]) for k in ("seconds", "peak_rss_citeqa_mib", "peak_rss_engine_mib")]
        + [" / ".join(str(v) for v in r["peak_rss_citeqa_by_quarter_mib"][:3])]
        for r in rows
    ]
    print(markdown(headers, table))


if __name__ == "__main__":
    main()
