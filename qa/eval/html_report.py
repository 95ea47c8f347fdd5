"""`report.html`: one self-contained page (inline CSS, PNG figures as data URIs).

Every piece of text from the data (questions, answers, settings) is HTML-escaped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from qa.eval.compare import compare
from qa.eval.definitions import DEFINITIONS
from qa.eval.judge import Judgement
from qa.eval.plots import confidence_histogram, hit_curve, latency_histogram, png_base64
from qa.eval.runner import EvalRun

WORST_MISSES = 30
ANSWER_CHARS = 300

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:4px 8px;
vertical-align:top;text-align:left}th{background:#f4f4f4}td.n{text-align:right;
font-variant-numeric:tabular-nums}.better{color:#1a7f37}.worse{color:#c62828}
.figs{display:flex;flex-wrap:wrap;gap:12px}.figs img{max-width:590px;border:1px solid #eee}
pre{background:#f7f7f7;padding:8px;overflow:auto;font-size:12px}.muted{color:#777}
"""


def render_html(
    run: EvalRun, body: Mapping[str, Any], baseline: Mapping[str, float] | None = None
) -> str:
    """The page for one run; `body` is the report.json content; `baseline` the metrics of
    the report compared with (`--compare`), whose deltas are shown."""
    dataset = body["dataset"]
    title = f"citeqa eval: {dataset['path']}"
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p class='muted'>{escape(_summary(body))}</p>",
        "<h2>Metrics</h2>",
        _metrics_table(run.metrics, baseline),
        "<h2>Figures</h2><div class='figs'>",
        _figure(hit_curve(run.judgements, baseline), "hit@k curve"),
        _figure(latency_histogram(run.judgements), "latency histogram"),
        _figure(confidence_histogram(run.judgements), "abstention score distributions"),
        "</div>",
        f"<h2>Worst misses</h2><p class='muted'>{escape(_misses_note())}</p>",
        _misses_table(worst_misses(run.judgements)),
        "<h2>Settings and versions</h2>",
        f"<pre>{escape(json.dumps(_provenance(body), indent=2, ensure_ascii=False))}</pre>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _summary(body: Mapping[str, Any]) -> str:
    dataset, target = body["dataset"], body["target"]
    where = target.get("url") or target.get("index_dir") or "in process"
    return (
        f"{dataset['evaluated']} of {dataset['questions']} questions ({dataset['format']}), "
        f"asked {target.get('mode')} ({where}), snapshot {target.get('snapshot_id')}, "
        f"started {body['started_at']}, {body['seconds']} s"
    )


def _metrics_table(metrics: Mapping[str, float], baseline: Mapping[str, float] | None) -> str:
    head = "<tr><th>metric</th><th>value</th>"
    head += "<th>baseline</th><th>change</th>" if baseline is not None else ""
    rows = [head + "<th>definition</th></tr>"]
    for delta in compare(metrics, baseline or {}):
        if delta.current is None:
            continue
        cells = (
            f"<td>{escape(delta.metric)}</td><td class='n'>{_fmt(delta.metric, delta.current)}</td>"
        )
        if baseline is not None:
            css = {True: "better", False: "worse", None: ""}[delta.improved]
            change = "-" if delta.change is None else f"{delta.change:+.4f}"
            cells += f"<td class='n'>{_fmt(delta.metric, delta.baseline)}</td>"
            cells += f"<td class='n {css}'>{escape(change)}</td>"
        cells += f"<td>{escape(DEFINITIONS.get(delta.metric, ''))}</td>"
        rows.append(f"<tr>{cells}</tr>")
    return "<table>" + "".join(rows) + "</table>"


def _fmt(metric: str, value: float | None) -> str:
    if value is None:
        return "-"
    if metric == "count":
        return str(int(value))
    return f"{value:.1f}" if metric.startswith("latency") else f"{value:.4f}"


def _figure(figure: Any, alt: str) -> str:
    return f"<img alt='{escape(alt)}' src='data:image/png;base64,{png_base64(figure)}'>"


def _misses_note() -> str:
    return (
        "Answers that miss every gold answer, and answers to unanswerable questions, most "
        "confident first; then abstentions on answerable questions. 'gold rank' is the rank "
        "of the first relevant passage (- when none in the top 10)."
    )


def worst_misses(judgements: Sequence[Judgement], limit: int = WORST_MISSES) -> list[Judgement]:
    wrong = [
        j
        for j in judgements
        if not j.answer.abstained and (not j.answerable or not j.answer_contains)
    ]
    abstained = [j for j in judgements if j.answerable and j.answer.abstained]
    wrong.sort(key=lambda j: -j.answer.confidence)
    abstained.sort(key=lambda j: (j.first_hit_rank is None, j.first_hit_rank or 0))
    return (wrong + abstained)[:limit]


def _misses_table(misses: Sequence[Judgement]) -> str:
    if not misses:
        return "<p>None.</p>"
    rows = [
        "<tr><th>kind</th><th>id</th><th>question</th><th>gold</th><th>answer</th>"
        "<th>confidence</th><th>gold rank</th></tr>"
    ]
    for j in misses:
        kind = (
            "abstained"
            if j.answer.abstained
            else "answered an unanswerable question"
            if not j.answerable
            else "wrong answer"
        )
        answer = j.answer.answer
        if len(answer) > ANSWER_CHARS:
            answer = answer[:ANSWER_CHARS] + "…"
        gold = " | ".join(j.question.answers) or "(unanswerable)"
        rank = "-" if j.first_hit_rank is None else str(j.first_hit_rank)
        cells = [kind, j.question.id, j.question.question, gold, answer]
        rows.append(
            "<tr>"
            + "".join(f"<td>{escape(c)}</td>" for c in cells)
            + f"<td class='n'>{j.answer.confidence:.3f}</td><td class='n'>{escape(rank)}</td></tr>"
        )
    return "<table>" + "".join(rows) + "</table>"


def _provenance(body: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("dataset", "target", "settings", "versions", "details")
    return {k: body[k] for k in keys if k in body}
