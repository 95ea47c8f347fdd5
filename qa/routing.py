"""Which embedder serves a question: the corpus-language one, or the multilingual one.

A question written in a script that no corpus document uses (Cyrillic over English
documents) is cross-lingual. In the same script, a question of fewer than four words
(names, keywords) is taken to be in a corpus language, and so is one whose words are at
least a quarter stop words of a corpus language; otherwise it is in the language that
language identification ranks first. Stop words decide first because Lingua's trigram
models misread short questions full of names, and are unsure of languages they lack
(Uzbek). On the 9,380 English SQuAD v1.1 questions, Lingua alone at 99% confidence sent 59
to the multilingual path, this rule sends 11 (answer_contains on the 68 that changed: 54 ->
58); of 60 hand-written questions in ten other Latin-script languages
(tests/data/latin_script_questions.jsonl), Lingua alone kept 23 on the English path, this
rule none (their stop-word shares reach 0.22; 121 English questions fall under 0.25). For
a corpus language without a stop-word list, only a 99% sure identification makes a
question cross-lingual.

The main models (all-MiniLM-L6-v2 and the ms-marco cross-encoder) read English only, so a
question takes the English path only when it is in English and so is some of the corpus:
a Russian question over Russian documents takes the multilingual path too. On a Russian
translation of the default corpus (tests/data/russian_corpus/), the English path answered
17 of 34 Russian questions from the right sentence and abstained on none of 10 unanswerable
ones; the multilingual path answers 21 and abstains on 5.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from index.text.language import (
    MIN_STOPWORD_SHARE,
    UNDETERMINED,
    detect_language,
    dominant_script,
    primary_language,
    stopword_share,
)

MIN_CONFIDENCE = 0.99
MIN_WORDS = 4


@dataclass(frozen=True)
class CorpusLanguages:
    languages: frozenset[str]
    scripts: frozenset[str]


def is_cross_lingual(question: str, corpus: CorpusLanguages) -> bool:
    script = dominant_script(question)
    if script is None:
        return False
    if corpus.scripts and script not in corpus.scripts:
        return True
    if len(question.split()) < MIN_WORDS:
        return False
    share = stopword_share(question, corpus.languages)
    if share is not None and share >= MIN_STOPWORD_SHARE:
        return False
    language = detect_language(question, min_confidence=MIN_CONFIDENCE if share is None else 0.0)
    return language is not None and language not in corpus.languages


def takes_multilingual_path(question: str, corpus: CorpusLanguages) -> bool:
    """True unless `question` is in English and the corpus holds English: the English models
    read neither another language nor a question about texts in one."""
    known = corpus.languages - {UNDETERMINED}
    if known and ENGLISH.languages.isdisjoint(known):
        return True
    if is_cross_lingual(question, corpus):
        return True
    # Over an English corpus the second test is the first again (Lingua included).
    return corpus != ENGLISH and is_cross_lingual(question, ENGLISH)


def corpus_languages(
    languages: Collection[str], scripts: Collection[str | None]
) -> CorpusLanguages:
    """The corpus's languages as ISO 639-1 codes ("en-US" and "eng" are "en") and scripts."""
    return CorpusLanguages(
        languages=frozenset(primary_language(code) for code in languages),
        scripts=frozenset(s for s in scripts if s),
    )


# What the main embedder and the cross-encoder read.
ENGLISH = corpus_languages({"en"}, {"LATIN"})
