"""KazQAD (Kazakh reading comprehension) as a corpus test set: bench/data/corpora/kk.

    .venv/bin/python -m bench.kazqad KAZQAD_VALIDATION.jsonl --out bench/data/corpora/kk \
        [--unanswerable 150]

KazQAD v1.0 (IS2AI, CC BY-SA 4.0), `kazqad-reading-comprehension-v1.0-kk-validation.jsonl`:
764 rows, each a Kazakh exam question, one Kazakh Wikipedia paragraph (697 distinct, under
505 article titles) and the answer spans in it; a question with several paragraphs has a
row for each (545 distinct questions). The set is written as bench/lib/kazqad.py's
`write_set` says, with `--unanswerable` unanswerable questions.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from bench.lib.kazqad import read_rows, write_set


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("kazqad", type=Path, help="kazqad-reading-comprehension-...jsonl")
    parser.add_argument("--out", type=Path, required=True, help="the set's folder")
    parser.add_argument("--unanswerable", type=int, default=150)
    args = parser.parse_args(argv)
    chosen = write_set(read_rows(args.kazqad), args.out, args.unanswerable)
    print(
        f"{args.out}: {len(chosen.indexed)} paragraphs, {len(chosen.answerable)} answerable "
        f"and {len(chosen.unanswerable)} unanswerable questions"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
