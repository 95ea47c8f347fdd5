"""A corpus in Russian: Russian questions take the multilingual path and quote the Russian text.

`tests/data/russian_corpus/` holds a Russian translation of the default corpus document,
made by hand sentence for sentence, so that a fact's English evidence sentence (the n-th)
names the Russian sentence that states it (also the n-th). The English models cannot read
Russian: on the English path, 17 of the 34 answerable Russian questions were answered from
the right sentence and none of the 10 unanswerable ones abstained; on the multilingual path,
21 and 5 (2026-11-30). The floors below sit between the two.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from index.documents.corpus import load_corpus
from index.settings import IndexSettings
from index.text.sentences import split_sentences
from qa.calibration import READER_SAME_LANGUAGE, Logistic
from qa.compose.extractive import ExtractiveComposer
from qa.factory import build_pipeline
from qa.models import Models
from qa.pipeline import QAPipeline
from qa.rerank.sentences import SentenceReranker
from tests.conftest import CORPUS, DATA, make_test_builder
from tests.qa.test_corpus_questions import questions

RUSSIAN_CORPUS = DATA / "russian_corpus"
ENGLISH_TEXT = (CORPUS / "unesco-ichei-iioe-central-asia.txt").read_text(encoding="utf-8")
RUSSIAN_TEXT = (RUSSIAN_CORPUS / "unesco-ichei-iioe-central-asia.ru.txt").read_text(
    encoding="utf-8"
)
RIGHT_FLOOR = 0.55
ABSTAINED_FLOOR = 0.3


@pytest.fixture(scope="module")
def russian_pipeline(tmp_path_factory: pytest.TempPathFactory, models: Models) -> QAPipeline:
    documents, skipped = load_corpus(IndexSettings(corpus_dir=RUSSIAN_CORPUS))
    assert not skipped
    assert [d.lang for d in documents] == ["ru"]
    builder = make_test_builder(tmp_path_factory.mktemp("russian-index"), models)
    snapshot, _ = builder.build(documents)
    return build_pipeline(snapshot, models=models)


def russian_sentence(evidence: str) -> tuple[int, int]:
    """The span of the Russian sentence that translates the English one holding `evidence`."""
    english, russian = split_sentences(ENGLISH_TEXT), split_sentences(RUSSIAN_TEXT)
    assert len(english) == len(russian)
    at = ENGLISH_TEXT.index(evidence)
    n = next(i for i, s in enumerate(english) if s.start <= at < s.end)
    return russian[n].start, russian[n].end


def test_russian_questions_take_the_multilingual_path(
    russian_pipeline: QAPipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """...with e5's own vectors: the question encoder is for questions across languages."""
    question_encoder = russian_pipeline.models.question_encoder
    assert question_encoder is not None

    def refused(texts: object) -> None:
        raise AssertionError(f"the question encoder embedded {texts}")

    monkeypatch.setattr(question_encoder, "embed_queries", refused)
    evidence = russian_pipeline.evidence("Сколько экспертов собрал CASIE 2022?")
    assert evidence.cross_lingual
    assert evidence.scorer == READER_SAME_LANGUAGE
    assert evidence.language == "ru"


def test_the_confidence_of_a_russian_answer_follows_the_russian_curve(
    russian_pipeline: QAPipeline,
) -> None:
    """One threshold for every language read in its own text, a curve for each language
    that has one (the calibration fits one where a language's answers allow a fit), and
    the curve of all of them for the others."""
    composer = russian_pipeline.composer
    assert isinstance(composer, ExtractiveComposer)
    pooled = composer.settings.confidence[READER_SAME_LANGUAGE]
    russian_curve = Logistic(pooled.slope / 2, pooled.intercept - 1.0)
    evidence = russian_pipeline.evidence("Сколько экспертов собрал CASIE 2022?")
    top = evidence.sentences[0].score
    assert evidence.language == "ru"

    for curves, expected in (
        ({"ru": russian_curve, "kk": pooled}, russian_curve),
        ({"kk": russian_curve}, pooled),
    ):
        settings = replace(composer.settings, language_confidence={READER_SAME_LANGUAGE: curves})
        answer = ExtractiveComposer(settings).compose(evidence)
        assert answer.confidence == round(expected.probability(top), 4)
    assert russian_curve.probability(top) != pooled.probability(top)


def test_a_russian_question_has_the_russian_threshold(russian_pipeline: QAPipeline) -> None:
    """A language with a threshold of its own in the documents' own language abstains by
    it; another language's threshold does not apply."""
    composer = russian_pipeline.composer
    assert isinstance(composer, ExtractiveComposer)
    evidence = russian_pipeline.evidence("Сколько экспертов собрал CASIE 2022?")
    top = evidence.sentences[0].score
    assert evidence.language == "ru"
    assert not composer.compose(evidence).abstained

    for thresholds, abstains in (({"ru": top + 1.0}, True), ({"kk": top + 1.0}, False)):
        own = {READER_SAME_LANGUAGE: thresholds}
        settings = replace(composer.settings, language_abstain_below=own)
        assert ExtractiveComposer(settings).compose(evidence).abstained is abstains


def test_a_russian_question_over_russian_text_has_no_best_cosine_term(
    russian_pipeline: QAPipeline,
) -> None:
    """The pool's best cosine lowers the scores of questions across languages only (see
    SentenceRerankSettings.reader_best_cosine_weight)."""
    shipped = russian_pipeline.reranker
    question = "Сколько экспертов собрал CASIE 2022?"
    scores = {s.row: s.score for s in russian_pipeline.evidence(question).sentences}
    russian_pipeline.reranker = SentenceReranker(
        shipped.cross_encoder,
        replace(shipped.settings, reader_best_cosine_weight=0.0),
        shipped.reader,
    )
    try:
        without = {s.row: s.score for s in russian_pipeline.evidence(question).sentences}
    finally:
        russian_pipeline.reranker = shipped
    assert without == pytest.approx(scores, abs=1e-4)


def test_russian_questions_are_answered_from_the_russian_text(
    russian_pipeline: QAPipeline,
) -> None:
    right, abstained, answerable, unanswerable, misses = 0, 0, 0, 0, []
    for row in questions("ru"):
        answer = russian_pipeline.ask(row["question"])
        for citation in answer.citations:
            assert RUSSIAN_TEXT[citation.start : citation.end] == citation.quote
        if row["unanswerable"]:
            unanswerable += 1
            abstained += answer.abstained
            continue
        answerable += 1
        start, end = russian_sentence(row["evidence"])
        first = answer.citations[:1]
        if not answer.abstained and any(c.start < end and start < c.end for c in first):
            right += 1
        else:
            misses.append(row["id"])
    assert right / answerable >= RIGHT_FLOOR, misses
    assert abstained / unanswerable >= ABSTAINED_FLOOR
