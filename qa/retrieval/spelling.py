"""Typos in a question, corrected against the words of the corpus.

A question word whose stem occurs nowhere in the corpus, but one edit away from a word
whose stem does (a letter deleted, inserted, replaced, or two swapped), is replaced by
that word ("Who opened the sympsoium?" -> "symposium"); among several, the one in the most
chunks. Left alone: words of fewer than `MIN_LENGTH` letters (they have too many
neighbours) or more than `MAX_LENGTH` (a word's variants grow with its length: a
4,000-letter "word" would have had a quarter of a million), words of the English
vocabulary of the bundled cross-encoder ("powder" is a word, even where the corpus only
says "gunpowder"), and any words after the first `MAX_ATTEMPTS` tried (each try stems some
500 variants: a long gibberish question must not cost seconds). bench/quality/typos.py
measures it on questions given one typo each.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from index.stores.keyword import BM25Index
from qa.rerank.cross_encoder import bundled_model_dir

MIN_LENGTH = 5
MAX_LENGTH = 32
MAX_ATTEMPTS = 8

_LATIN = "abcdefghijklmnopqrstuvwxyz"
_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі"
_WORD = re.compile(r"[^\W\d_]+")


def correct_spelling(keyword: BM25Index, question: str, unseen: Collection[str]) -> str:
    """`question` with its misspelt words replaced by the corpus's nearest words; `unseen`
    is the question's terms the corpus lacks (`qa.retrieval.unseen_terms`), which the
    caller needs too."""
    unseen = set(unseen)
    if not unseen:
        return question
    attempts = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal attempts
        word = match.group()
        if not MIN_LENGTH <= len(word) <= MAX_LENGTH or word.lower() in _english_words():
            return word
        stems = keyword.tokenize([word.lower()])[0]
        if not stems or stems[0] not in unseen or attempts == MAX_ATTEMPTS:
            return word
        attempts += 1
        correction = _nearest_word(keyword, word.lower())
        if correction is None:
            return word
        if word.isupper():
            return correction.upper()
        return correction.capitalize() if word[0].isupper() else correction

    return _WORD.sub(replace, question)


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Whole words of the cross-encoder's WordPiece vocabulary (bert-base-uncased)."""
    lines = (bundled_model_dir() / "vocab.txt").read_text("utf-8").splitlines()
    return frozenset(line for line in lines if line.isalpha())


def _nearest_word(keyword: BM25Index, word: str) -> str | None:
    """The single-edit variant of `word` whose stem is in the most chunks, if any."""
    alphabet = _alphabet(word)
    if not alphabet:
        return None
    # Variants of the word's own length first (swapped or replaced letters), so that
    # among variants with the same stem the likelier spelling wins: "casei" -> "casie",
    # not "casi".
    candidates = sorted(_single_edits(word, alphabet), key=lambda c: (len(c) != len(word), c))
    # A stop word or a variant split in two is no word of the corpus: "" has frequency 0.
    stems = [s[0] if len(s) == 1 else "" for s in keyword.tokenize(candidates)]
    best, best_frequency = None, 0
    for candidate, frequency in zip(candidates, keyword.document_frequencies(stems), strict=True):
        if frequency > best_frequency:
            best, best_frequency = candidate, frequency
    return best


def _alphabet(word: str) -> str:
    if all(c in _LATIN for c in word):
        return _LATIN
    if all(c in _CYRILLIC for c in word):
        return _CYRILLIC
    return ""


def _single_edits(word: str, alphabet: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {left + right[1:] for left, right in splits if right}
    swaps = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    replaces = {left + c + right[1:] for left, right in splits if right for c in alphabet}
    inserts = {left + c + right for left, right in splits for c in alphabet}
    return (deletes | swaps | replaces | inserts) - {word}
