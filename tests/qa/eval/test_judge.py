"""Judging one reply: relevance, answer scores, citation validity and support."""

from __future__ import annotations

from qa.eval.datasets import EvalQuestion
from qa.eval.judge import DatasetTexts, citation_valid, judge, supported
from qa.eval.targets import Reply
from qa.types import Answer, Citation, Passage

TEXT = "Kublai Khan was the grandson of Genghis Khan. He founded the Yuan dynasty in 1271."


def passage(start: int, end: int, doc_id: str = "d1", chunk: int = 0) -> Passage:
    return Passage(
        chunk_id=f"{doc_id}#{chunk}",
        doc_id=doc_id,
        title="Kublai",
        source="s",
        text=TEXT[start:end],
        start=start,
        end=end,
        score=1.0,
    )


def citation(start: int, end: int, quote: str | None = None, chunk: str = "d1#0") -> Citation:
    return Citation(
        n=1,
        doc_id="d1",
        title="Kublai",
        source="s",
        chunk_id=chunk,
        quote=TEXT[start:end] if quote is None else quote,
        start=start,
        end=end,
        score=0.9,
    )


def test_validity_against_a_passage_that_covers_the_span() -> None:
    passages = [passage(0, 45), passage(46, len(TEXT), chunk=1)]
    assert citation_valid(citation(46, 82), passages, None) is True
    assert (
        citation_valid(
            citation(46, 82, quote="He founded the Yuan dynasty in 1272."), passages, None
        )
        is False
    )
    shifted = citation(45, 81, quote=TEXT[46:82])  # right words, wrong offsets
    assert citation_valid(shifted, [passage(0, len(TEXT))], None) is False
    # no passage covers the span: cannot be checked over HTTP
    assert citation_valid(citation(40, 60), passages, None) is None


def test_validity_prefers_the_document_text() -> None:
    texts = DatasetTexts({"d1": TEXT})
    assert citation_valid(citation(40, 60), [], texts) is True
    assert citation_valid(citation(40, 60, quote="x"), [], texts) is False


def test_support_by_quote_or_by_its_chunk() -> None:
    question = EvalQuestion("q", "Who was Kublai's grandfather?", ("Genghis Khan",))
    passages = [passage(0, len(TEXT))]
    assert supported(question, citation(0, 45), passages, None)
    # the quote lacks the answer but its chunk holds it
    assert supported(question, citation(46, 82), passages, None)
    assert not supported(question, citation(46, 82, chunk="d1#9"), passages, None)


def test_judge_scores_an_answer_and_a_miss() -> None:
    question = EvalQuestion(
        "q", "When was Yuan founded?", ("1271",), gold_doc_ids=frozenset({"d1"})
    )
    other = passage(0, 45, doc_id="d2")
    answer = Answer(
        answer=f"{TEXT[46:82]} [1]",
        abstained=False,
        citations=[citation(46, 82)],
        confidence=0.9,
        passages=[other, passage(46, len(TEXT), chunk=1)],
    )
    result = judge(question, Reply(answer, 12.0), None)
    assert result.first_hit_rank == 2
    assert result.answer_contains == 1.0
    assert result.exact_match == 0.0
    assert result.f1 == 2 * (1 / 6) / (1 / 6 + 1)  # 1 of 6 answer tokens, the whole gold
    assert (result.citations, result.citations_valid, result.citations_supported) == (1, 1, 1)
    abstained = Answer(answer="I could not find this.", abstained=True, passages=[other])
    miss = judge(question, Reply(abstained, 5.0), None)
    assert (miss.first_hit_rank, miss.answer_contains, miss.f1) == (None, 0.0, 0.0)


def test_unanswerable_questions_have_no_answer_scores() -> None:
    question = EvalQuestion("q", "When did Kublai visit Paris?", (), unanswerable=True)
    answer = Answer(answer="x [1]", abstained=False, citations=[citation(0, 6)], passages=[])
    result = judge(question, Reply(answer, 1.0), DatasetTexts({"d1": TEXT}))
    assert result.first_hit_rank is None
    assert result.answer_contains is None
    assert result.citations_supported is None
    assert result.citations_valid == 1


def test_relevance_without_gold_documents_is_answer_containment() -> None:
    question = EvalQuestion("q", "When was Yuan founded?", ("1271",))
    answer = Answer(answer="", abstained=True, passages=[passage(0, 45), passage(46, len(TEXT))])
    assert judge(question, Reply(answer, 1.0), None).first_hit_rank == 2
