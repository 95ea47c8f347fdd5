"""The question-answering pipeline: retrieve -> rerank sentences -> compose.

One pipeline serves one snapshot at a time; `swap` replaces it between requests, and each
request keeps the snapshot it started with, so a swap never mixes two indexes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

from index.snapshots.snapshot import Snapshot
from index.stores.filters import Filter
from index.text.language import detect_language, dominant_script
from qa.calibration import READER, READER_SAME_LANGUAGE
from qa.compose.base import Composer, Evidence
from qa.conversation import (
    History,
    pronoun_without_person,
    retrieval_query,
    standalone_query,
)
from qa.models import Models
from qa.reader.short_answer import ShortAnswerFinder
from qa.referents import titled_person
from qa.rerank.sentences import Ranking, SentenceReranker
from qa.retrieval.hybrid import HybridRetriever
from qa.retrieval.spelling import correct_spelling
from qa.retrieval.unseen_terms import unseen_terms
from qa.routing import (
    CorpusLanguages,
    corpus_languages,
    is_cross_lingual,
    takes_multilingual_path,
)
from qa.settings import QASettings
from qa.streaming import AnswerDone, StreamEvent
from qa.timing import ms, timed
from qa.types import Answer, Passage

PERSON_SENTENCES = 3
"""How many of the best sentences are searched for the person a follow-up's pronoun
stands for, when the conversation names nobody it could (QAPipeline._ranked_standalone);
every sentence read may write their name out in full."""


class QAPipeline:
    def __init__(
        self,
        snapshot: Snapshot,
        models: Models,
        settings: QASettings,
        retriever: HybridRetriever,
        reranker: SentenceReranker,
        composer: Composer,
        short_answers: ShortAnswerFinder | None = None,
    ) -> None:
        if not models.serves(snapshot.manifest):
            raise ValueError("the models do not match the snapshot's embedding models")
        # One BLAS thread per process (numpy, SciPy and FAISS each load an OpenBLAS): our
        # products are matrix-vector, and idle OpenBLAS threads spin on the cores the models
        # need next. In-process /v1/ask p50 went from 151 to 104 ms on 2 cores.
        threadpool_limits(limits=1, user_api="blas")
        self._snapshot = snapshot
        self._languages = _languages(snapshot)
        self._lock = threading.Lock()
        # Queries beyond this many wait instead of sharing the cores: the models already use
        # every core, and oversubscribed threads make every request slower.
        self._compute = threading.BoundedSemaphore(settings.max_concurrency)
        # Questions being answered (waiting, computing their evidence, or composing an
        # answer): one alone may have the cross-encoder's threads spin
        # (qa.rerank.cross_encoder).
        self._answering = 0
        self.models = models
        self.settings = settings
        self.retriever = retriever
        self.reranker = reranker
        self.composer = composer
        self.short_answers = short_answers

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def swap(self, snapshot: Snapshot) -> None:
        """Serve `snapshot` from the next request on; it must use the same embedders."""
        if not self.models.serves(snapshot.manifest):
            raise ValueError("the new snapshot was built with other embedding models")
        with self._lock:
            self._snapshot, self._languages = snapshot, _languages(snapshot)

    def warm_up(self) -> None:
        """Prepare the embedders for a stream of questions, then run every model once
        (language identification loads its models lazily, the first inference of each
        runtime is slow), so the first user does not wait."""
        self.models.embedder.prepare_queries()
        for model in (self.models.multilingual, self.models.question_encoder):
            if model is not None:
                model.prepare_queries()
        for question in ("Where was the symposium held?", "Где прошёл симпозиум?"):
            self.evidence(question)

    def evidence(
        self,
        question: str,
        *,
        filters: Filter | None = None,
        history: History | None = None,
        depth: int | None = None,
    ) -> Evidence:
        """Retrieve, rerank and score sentences for `question` (the shared first half), in
        its turn: at most `max_concurrency` questions at once. `filters` restricts every
        candidate list to the rows it allows; `depth`, the retrieval depth, is how many
        chunks each list fetches (`QASettings.candidates` unless given)."""
        waited = time.perf_counter()
        with self._answering_one(), self._compute:
            evidence = self._evidence(question, filters=filters, history=history, depth=depth)
        evidence.timings_ms["queue"] = ms(
            time.perf_counter() - waited - sum(evidence.timings_ms.values()) / 1000
        )
        return evidence

    def _evidence(
        self,
        question: str,
        *,
        filters: Filter | None,
        history: History | None,
        depth: int | None,
    ) -> Evidence:
        with self._lock:
            snapshot, languages = self._snapshot, self._languages
        timings: dict[str, float] = {}
        query = retrieval_query(question, history)
        multilingual = self.models.multilingual
        cross_lingual = multilingual is not None and takes_multilingual_path(query, languages)
        unseen = [] if cross_lingual else unseen_terms(snapshot.keyword, question)
        if unseen and self.settings.spelling_correction:
            corrected = correct_spelling(snapshot.keyword, question, unseen)
            if corrected != question:
                question, query = corrected, retrieval_query(corrected, history)
                unseen = unseen_terms(snapshot.keyword, question)
        with timed(timings, "retrieve"):
            allowed = snapshot.fields.allowed_rows(filters) if filters else None

        # Only across languages: on Kazakh questions over Kazakh documents (half b of
        # bench/data/corpora/kk) it moved them towards English, hit@1 0.753 -> 0.685.
        question_encoder = self.models.question_encoder
        across_languages = cross_lingual and is_cross_lingual(query, languages)
        if question_encoder is not None and across_languages:
            multilingual = question_encoder

        def ranked(query: str) -> Ranking:
            retrieval = self.retriever.retrieve(
                snapshot,
                query,
                self.models.embedder,
                multilingual,
                cross_lingual=cross_lingual,
                allowed=allowed,
                depth=depth or self.settings.candidates,
                timings=timings,
            )
            with timed(timings, "rerank"):
                return self.reranker.rerank(
                    snapshot,
                    query,
                    retrieval.vectors,
                    retrieval.candidates,
                    alone=self._answering == 1,
                    across_languages=across_languages,
                )

        if cross_lingual:
            # The multilingual path reads a follow-up with the questions of its topic, the
            # English one the follow-up made to stand on its own (qa.conversation; measured
            # by bench/follow_ups.py: English 0.781 -> 0.875, Russian 0.667 with the topic,
            # 0.611 on its own).
            ranking = ranked(query)
        else:
            ranking = self._ranked_standalone(snapshot, question, history, ranked)
        scorer = _calibrated_scorer(ranking.scorer, across_languages)
        # Lingua, not text_language: its stop-word rule read 18 of the 474 Kazakh questions
        # of bench/data/corpora/kk as Russian (Lingua: 1). It picks the reader's confidence
        # curve: how often an answer holds the fact differs by language.
        return Evidence(
            snapshot=snapshot,
            question=question,
            candidates=ranking.candidates,
            sentences=ranking.sentences,
            cross_lingual=cross_lingual,
            scorer=scorer,
            language=detect_language(query) if scorer in (READER, READER_SAME_LANGUAGE) else None,
            unseen_terms=unseen,
            timings_ms=timings,
        )

    @staticmethod
    def _ranked_standalone(
        snapshot: Snapshot,
        question: str,
        history: History | None,
        ranked: Callable[[str], Ranking],
    ) -> Ranking:
        """The ranking for `question` made to stand on its own. When it leans on a person
        the conversation does not name ("What position does she hold?" after an answer
        naming only an organisation), the best sentences found for it with its topic are
        searched for a titled person its pronoun agrees with, and the question made to
        stand on its own with them is ranked instead."""
        ranking = ranked(standalone_query(question, history))
        pronoun = pronoun_without_person(question, history)
        if pronoun is None:
            return ranking
        read = [snapshot.sentence_text(s.row) for s in ranking.sentences]
        person = titled_person(read, pronoun, first=PERSON_SENTENCES)
        if person is None:
            return ranking
        return ranked(standalone_query(question, history, person=person))

    def search(
        self, query: str, *, top_k: int | None = None, filters: Filter | None = None
    ) -> list[Passage]:
        """The `top_k` best-ranked passages for `query` (`QASettings.top_k` unless given)."""
        evidence = self.evidence(query, filters=filters)
        return self.passages(evidence, top_k or self.settings.top_k)

    def ask(
        self,
        question: str,
        *,
        top_k: int | None = None,
        filters: Filter | None = None,
        history: History | None = None,
        include_passages: bool = False,
    ) -> Answer:
        """Answer `question` from the passages `filters` allows. With `include_passages`
        the answer carries the `top_k` best-ranked passages (`QASettings.top_k` unless
        given); `top_k` changes nothing else: neither what is retrieved nor the answer."""
        started = time.perf_counter()
        evidence = self.evidence(question, filters=filters, history=history)
        with self._answering_one(), timed(evidence.timings_ms, "compose"):
            answer = self.composer.compose(evidence)
        self._add_short_answer(evidence, answer)
        answer.timings_ms = {
            **evidence.timings_ms,
            **answer.timings_ms,
            "total": ms(time.perf_counter() - started),
        }
        if include_passages:
            answer.passages = self.passages(evidence, top_k or self.settings.top_k)
        return answer

    def stream(
        self,
        question: str,
        *,
        top_k: int | None = None,
        filters: Filter | None = None,
        history: History | None = None,
        include_passages: bool = False,
    ) -> Iterator[StreamEvent]:
        """`ask` as events (see qa.streaming); the final AnswerDone carries what `ask` returns."""
        started = time.perf_counter()
        evidence = self.evidence(question, filters=filters, history=history)
        compose_started = time.perf_counter()
        with self._answering_one():
            for event in self.composer.stream(evidence):
                if isinstance(event, AnswerDone):
                    answer = event.answer
                    self._add_short_answer(evidence, answer)
                    answer.timings_ms = {
                        **evidence.timings_ms,
                        **answer.timings_ms,
                        "compose": ms(time.perf_counter() - compose_started),
                        "total": ms(time.perf_counter() - started),
                    }
                    if include_passages:
                        answer.passages = self.passages(evidence, top_k or self.settings.top_k)
                yield event

    def _add_short_answer(self, evidence: Evidence, answer: Answer) -> None:
        """Find the words of the answer's best quote that answer (timed as "short_answer")."""
        if self.short_answers is not None:
            with timed(answer.timings_ms, "short_answer"):
                answer.short_answer = self.short_answers.find(evidence, answer)

    @contextmanager
    def _answering_one(self) -> Iterator[None]:
        """Count one more question being answered for the duration of the block."""
        with self._lock:
            self._answering += 1
        try:
            yield
        finally:
            with self._lock:
                self._answering -= 1

    @staticmethod
    def passages(evidence: Evidence, top_k: int) -> list[Passage]:
        """The `top_k` best-ranked candidates of `evidence`, as passages."""
        snapshot = evidence.snapshot
        result = []
        for candidate in evidence.candidates[:top_k]:
            document = snapshot.chunk_document(candidate.row)
            _, start, end = (int(v) for v in snapshot.chunks[candidate.row, :3])
            result.append(
                Passage(
                    chunk_id=snapshot.chunk_ids[candidate.row],
                    doc_id=document.doc_id,
                    title=document.title,
                    source=document.source,
                    text=document.text[start:end],
                    start=start,
                    end=end,
                    score=round(float(candidate.score), 6),
                )
            )
        return result


def _calibrated_scorer(scorer: str, across_languages: bool) -> str:
    """The reader reads a question in the corpus's own language (Russian over Russian text)
    with other scores than one across languages, so each has its own calibration."""
    if scorer == READER and not across_languages:
        return READER_SAME_LANGUAGE
    return scorer


def _languages(snapshot: Snapshot) -> CorpusLanguages:
    return corpus_languages(
        {doc.lang for doc in snapshot.documents},
        {dominant_script(doc.text) for doc in snapshot.documents},
    )
