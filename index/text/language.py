"""Language and script identification for documents and questions (Lingua, offline)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection
from functools import lru_cache

import bm25s.stopwords
from lingua import IsoCode639_3, Language, LanguageDetector, LanguageDetectorBuilder


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    # Low-accuracy mode keeps memory small (trigram models only); callers demand a high
    # confidence before they act on a result for short texts.
    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


# The `lang` of a document too short or mixed to identify.
UNDETERMINED = "und"


def detect_language(text: str, min_confidence: float = 0.5) -> str | None:
    """ISO 639-1 code of `text`'s language, or None when it is too short or unclear."""
    sample = text[:2000]
    if sum(ch.isalpha() for ch in sample) < 3:
        return None
    values = _detector().compute_language_confidence_values(sample)
    if not values or values[0].value < min_confidence:
        return None
    return values[0].language.iso_code_639_1.name.lower()


def primary_language(tag: str) -> str:
    """The ISO 639-1 code a language tag names, where there is one: "en-US", "EN" and "eng"
    are all "en"; a tag Lingua does not know comes back lower-cased, its region cut."""
    primary = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    if len(primary) == 3:
        try:
            return Language.from_iso_code_639_3(
                IsoCode639_3.from_str(primary)
            ).iso_code_639_1.name.lower()
        except ValueError:
            return primary
    return primary


def dominant_script(text: str) -> str | None:
    """The Unicode script of most letters (LATIN, CYRILLIC, ARABIC, CJK, ...), or None."""
    counts: Counter[str] = Counter()
    for ch in text[:2000]:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            counts[name.split(" ", 1)[0] if name else "UNKNOWN"] += 1
    return counts.most_common(1)[0][0] if counts else None


_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# bm25s's stop-word lists by ISO 639-1 code (a list an older bm25s lacks is left out);
# English takes the long list, which holds the question words (what, when, who, which, how).
_STOPWORD_LISTS = {
    "da": "STOPWORDS_DANISH",
    "de": "STOPWORDS_GERMAN",
    "en": "STOPWORDS_EN_PLUS",
    "es": "STOPWORDS_SPANISH",
    "fr": "STOPWORDS_FRENCH",
    "it": "STOPWORDS_ITALIAN",
    "nl": "STOPWORDS_DUTCH",
    "nb": "STOPWORDS_NORWEGIAN",
    "pt": "STOPWORDS_PORTUGUESE",
    "ru": "STOPWORDS_RUSSIAN",
    "sv": "STOPWORDS_SWEDISH",
    "tr": "STOPWORDS_TURKISH",
}
_STOPWORDS: dict[str, frozenset[str]] = {
    code: frozenset(getattr(bm25s.stopwords, name))
    for code, name in _STOPWORD_LISTS.items()
    if hasattr(bm25s.stopwords, name)
}


# A text whose words are at least this share stop words of a language is in that language,
# whatever Lingua says (see qa/routing.py for the measurement).
MIN_STOPWORD_SHARE = 0.25


def stopword_language(text: str) -> str | None:
    """The language whose stop words make up the largest share of `text`'s words, if that
    share is at least MIN_STOPWORD_SHARE (ties: None)."""
    words = _words(text)
    if not words:
        return None
    shares = sorted(
        ((_share(words, [stopwords]), code) for code, stopwords in _STOPWORDS.items()),
        reverse=True,
    )
    (best, code), (second, _) = shares[0], shares[1]
    return code if best >= MIN_STOPWORD_SHARE and best > second else None


def text_language(text: str) -> str | None:
    """ISO 639-1 code of a document's or question's language: stop words first, then Lingua.

    Lingua's trigrams misread English full of names: it called 5 of the 1,827 SQuAD v1.1
    dev paragraphs (and 35 of their first 200 characters) Latin, Dutch, Tagalog, ...; with
    stop words first, 2 (and 5). A corpus whose documents all read as another language
    sends its English questions to the multilingual models (qa/routing.py)."""
    return stopword_language(text) or detect_language(text)


def stopwords(language: str) -> frozenset[str]:
    """`language`'s stop words (lower case; empty when bm25s has no list for it)."""
    return _STOPWORDS.get(language, frozenset())


def stopword_share(text: str, languages: Collection[str]) -> float | None:
    """The share of `text`'s words that are stop words of any of `languages`, or None when
    none of them has a stop-word list (or the text has no words)."""
    stopwords = [_STOPWORDS[code] for code in languages if code in _STOPWORDS]
    words = _words(text)
    return _share(words, stopwords) if stopwords and words else None


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text[:2000])]


def _share(words: list[str], stopwords: list[frozenset[str]]) -> float:
    return sum(any(word in s for s in stopwords) for word in words) / len(words)
