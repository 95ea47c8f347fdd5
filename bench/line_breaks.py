"""Sentences cut by line breaks: hard-wrapped text, PDFs and Wikipedia paragraphs.

    .venv/bin/python -m bench.line_breaks --set bench/data/corpora/kk \
        --set bench/data/corpora/ru [--squad-v1 DEV.json] [--paragraphs 150] [--no-pdf] \
        [--out line_breaks.json]

"Before" is every line cut into sentences on its own (what index.sentences did until line
breaks were told apart: each line a unit), "after" is index.sentences.split_sentences now.
Paragraphs are the lines of at least 150 characters of the sets' documents (and of SQuAD's
contexts), `--paragraphs` of each source sampled with seed 0; the gold sentences of a
paragraph are those split_sentences finds in it unwrapped (one line: the same before and
after). Three kinds of text:
- plain text: each paragraph after its title line, hard-wrapped with textwrap at 60, 72
  and 80 columns;
- PDF: the paragraphs of a source on A4 pages (a heading before each, a list at the end),
  printed by Chromium and read back by citeqa's PDF loader; the headings and list items are
  gold units too;
- the sets' documents as they are (KazQAD's paragraphs keep Wikipedia's headings, lists
  and some wrapped lines): no gold there, so what is counted is quotes that a line break
  cuts (bench/corpora.cut_by_line_break) and sentences that run over a heading or a list
  item (a line break followed by one, inside a sentence).
A gold sentence is "cut" when no produced sentence equals it (spaces and line breaks
compared as one space, a hyphen at a line end as a hyphen, ligatures as their letters); a
produced sentence is "merged" when it is no gold unit but holds more than one.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
import textwrap
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.corpora import cut_by_line_break
from bench.corpus_sets import load_set
from bench.tables import fmt, markdown, write_results
from index.line_breaks import opens_structure
from index.loaders import load_bytes
from index.sentences import split_sentences
from qa.eval.versions import describe_machine, machine

WIDTHS = (60, 72, 80)
MIN_PARAGRAPH = 150
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_LINE_END_HYPHEN = re.compile(r"-[ \t]*\r?\n[ \t]*")
_BREAK_THEN_STRUCTURE = re.compile(r"\n[ \t]*(\S.*)")


def before(text: str) -> list[str]:
    """Sentences as when every line was cut on its own."""
    found: list[str] = []
    for line in text.split("\n"):
        found += [line[s.start : s.end] for s in split_sentences(line)]
    return found


def after(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


def flat(text: str) -> str:
    """Spaces and line breaks as one space, a hyphen ending a line as a hyphen, ligatures
    a PDF keeps (`ﬁ`) as their letters."""
    return " ".join(unicodedata.normalize("NFKC", _LINE_END_HYPHEN.sub("-", text)).split())


def compare(gold: Sequence[str], produced: Sequence[str]) -> dict[str, int]:
    """Gold units no produced sentence equals (cut), and produced sentences that are no
    gold unit but hold two or more (merged)."""
    wanted = Counter(flat(g) for g in gold)
    found = Counter(flat(p) for p in produced)
    cut = sum((wanted - found).values())
    golds = set(wanted)
    merged = sum(
        count
        for sentence, count in found.items()
        if sentence not in golds and sum(g in sentence for g in golds) > 1
    )
    return {"gold": sum(wanted.values()), "cut": cut, "merged": merged}


def add(total: dict[str, int], more: dict[str, int]) -> None:
    for key, value in more.items():
        total[key] = total.get(key, 0) + value


def paragraphs(texts: Iterable[str], count: int) -> list[str]:
    """Lines of at least MIN_PARAGRAPH characters, `count` of them sampled with seed 0."""
    lines = [line.strip() for text in texts for line in text.split("\n")]
    pool = sorted({line for line in lines if len(line) >= MIN_PARAGRAPH})
    random.Random(0).shuffle(pool)
    return pool[:count]


def plain_text(sources: dict[str, list[str]]) -> dict[str, Any]:
    """Each paragraph after a title line, wrapped at WIDTHS."""
    results: dict[str, Any] = {}
    for name, texts in sources.items():
        totals: dict[str, dict[str, int]] = {"before": {}, "after": {}}
        for width in WIDTHS:
            for number, paragraph in enumerate(texts):
                title = f"Section {number + 1}"
                text = title + "\n" + textwrap.fill(paragraph, width=width)
                gold = [title, *after(paragraph)]
                add(totals["before"], compare(gold, before(text)))
                add(totals["after"], compare(gold, after(text)))
        results[name] = totals
    return results


def pdf_text(sources: dict[str, list[str]]) -> dict[str, Any]:
    """Each source's paragraphs printed to PDF by Chromium, read back by the PDF loader."""
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        for name, texts in sources.items():
            gold: list[str] = []
            body: list[str] = []
            for number, paragraph in enumerate(texts):
                heading = f"Section {number + 1}"
                body.append(f"<h2>{html.escape(heading)}</h2><p>{html.escape(paragraph)}</p>")
                gold += [heading, *after(paragraph)]
            items = [f"Item {i} of the list" for i in range(1, 4)]
            body.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>")
            gold += items  # the PDF's text has no bullets
            page = browser.new_page()
            page.set_content(
                "<html><head><meta charset='utf-8'><style>body{font-family:'DejaVu Serif';"
                "font-size:11pt} p{text-align:justify}</style></head><body>"
                + "".join(body)
                + "</body></html>"
            )
            text = load_bytes(page.pdf(format="A4"), f"{name}.pdf").text
            page.close()
            results[name] = {
                "before": compare(gold, before(text)),
                "after": compare(gold, after(text)),
            }
        browser.close()
    return results


def as_they_are(documents: dict[str, list[str]]) -> dict[str, Any]:
    """Quotes cut by a line break, and sentences running over a heading or list item."""
    results: dict[str, Any] = {}
    for name, texts in documents.items():
        counts = {"before": Counter[str](), "after": Counter[str]()}
        examples: list[str] = []
        for text in texts:
            for label, spans in (
                ("before", _line_by_line(text)),
                ("after", [(s.start, s.end) for s in split_sentences(text)]),
            ):
                for start, end in spans:
                    quote = text[start:end]
                    counts[label]["sentences"] += 1
                    counts[label]["cut"] += cut_by_line_break(text, start, end)
                    over = any(
                        opens_structure(m.group(1)) for m in _BREAK_THEN_STRUCTURE.finditer(quote)
                    )
                    counts[label]["over_structure"] += over
                    counts[label]["with_line_break"] += "\n" in quote
                    if label == "after" and "\n" in quote and len(examples) < 12:
                        examples.append(quote)
        results[name] = {k: dict(v) for k, v in counts.items()} | {"examples": examples}
    return results


def _line_by_line(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        spans += [(offset + s.start, offset + s.end) for s in split_sentences(line)]
        offset += len(line) + 1
    return spans


def share(part: int, whole: int) -> str:
    return fmt(part / whole) if whole else "-"


def gold_rows(results: dict[str, Any], kind: str) -> list[list[str]]:
    rows = []
    for name, totals in results.items():
        b, a = totals["before"], totals["after"]
        rows.append(
            [
                kind,
                name,
                str(b["gold"]),
                share(b["cut"], b["gold"]),
                share(a["cut"], a["gold"]),
                str(b["merged"]),
                str(a["merged"]),
            ]
        )
    return rows


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--set", type=Path, action="append", default=[], dest="sets")
    parser.add_argument("--squad-v1", type=Path, help="SQuAD v1.1 dev JSON (English paragraphs)")
    parser.add_argument("--paragraphs", type=int, default=150, help="paragraphs per source")
    parser.add_argument("--no-pdf", action="store_true", help="leave out the PDF text")
    parser.add_argument("--out", type=Path, default=Path("line_breaks.json"))
    args = parser.parse_args(argv)
    if not args.sets and not args.squad_v1:
        parser.error("give at least one --set or --squad-v1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    documents = {folder.name: [d.text for d in load_set(folder).documents] for folder in args.sets}
    sources = {name: paragraphs(texts, args.paragraphs) for name, texts in documents.items()}
    if args.squad_v1:
        squad = json.loads(args.squad_v1.read_text("utf-8"))
        contexts = [p["context"] for a in squad["data"] for p in a["paragraphs"]]
        sources["squad-en"] = paragraphs(contexts, args.paragraphs)
    results: dict[str, Any] = {"plain_text": plain_text(sources)}
    rows = gold_rows(results["plain_text"], f"plain text, wrapped at {WIDTHS}")
    if not args.no_pdf:
        results["pdf"] = pdf_text(sources)
        rows += gold_rows(results["pdf"], "PDF (Chromium, A4, 11 pt)")
    headers = [
        "text",
        "source",
        "gold units",
        "cut before",
        "cut after",
        "merged before",
        "merged after",
    ]
    print("## Gold sentences cut by line breaks\n")
    print(markdown(headers, rows))
    results["as_they_are"] = as_they_are(documents)
    rows = []
    for name, r in results["as_they_are"].items():
        b, a = r["before"], r["after"]
        rows.append(
            [
                name,
                str(b["sentences"]),
                str(a["sentences"]),
                f"{b['cut']} ({share(b['cut'], b['sentences'])})",
                f"{a['cut']} ({share(a['cut'], a['sentences'])})",
                str(a.get("over_structure", 0)),
                str(a.get("with_line_break", 0)),
            ]
        )
    print("\n## The sets' documents as they are\n")
    headers = [
        "set",
        "sentences before",
        "sentences after",
        "cut quotes before",
        "cut quotes after",
        "over a heading or list item, after",
        "holding a line break, after",
    ]
    print(markdown(headers, rows))
    counts = {name: len(texts) for name, texts in sources.items()}
    print(f"\nRun {started} on {describe_machine(machine())}; paragraphs per source: {counts}.")
    results["run"] = {
        "started_at": started,
        "argv": list(argv if argv is not None else sys.argv[1:]),
        "paragraphs": counts,
    }
    write_results(args.out, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
