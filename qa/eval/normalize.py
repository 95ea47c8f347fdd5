"""Answer text normalisation: SQuAD's official rules, and citation markers removed."""

from __future__ import annotations

import re
import string

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = frozenset(string.punctuation)
_MARKER = re.compile(r"\s*\[\d+\]")


def normalize_answer(text: str) -> str:
    """SQuAD v1.1/v2.0 evaluation script: lower case, no punctuation, no articles,
    whitespace collapsed."""
    lowered = text.lower()
    no_punctuation = "".join(ch for ch in lowered if ch not in _PUNCTUATION)
    no_articles = _ARTICLES.sub(" ", no_punctuation)
    return " ".join(no_articles.split())


def answer_tokens(text: str) -> list[str]:
    return normalize_answer(text).split()


def strip_citation_markers(answer: str) -> str:
    """The answer text without its `[n]` citation markers."""
    return " ".join(_MARKER.sub("", answer).split())


def contains_answer(text: str, gold: str) -> bool:
    """True when normalised `gold` occurs in normalised `text` as a run of whole tokens."""
    needle = normalize_answer(gold)
    if not needle:
        return False
    return f" {needle} " in f" {normalize_answer(text)} "


def contains_any(text: str, golds: list[str]) -> bool:
    return any(contains_answer(text, gold) for gold in golds)
