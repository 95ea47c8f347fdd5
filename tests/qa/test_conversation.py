"""Follow-up questions: the retrieval query from the history, and what it retrieves."""

from __future__ import annotations

import pytest

from qa.conversation import (
    MAX_QUERY_WORDS,
    is_follow_up,
    pronoun_without_person,
    retrieval_query,
    standalone_query,
)
from qa.pipeline import QAPipeline

FOLLOW_UPS = [
    "What position does she hold?",
    "Where was it held?",
    "Who organised this event?",
    "Is that true?",
    "Who else spoke?",
    "What happened there?",
    "And Tatyana Murovana?",
    "What about the budget?",
    "Why?",
    "Which year?",
    "Which aspects of IIOE did she cover?",  # an acronym is not a "she"
    "А где она работает?",
    "Ол қайда жұмыс істейді?",
]
STANDALONE = [
    "Who presented IIOE at the symposium?",
    "What is CASIE short for?",
    "What is IIOE?",
    "How do I make pizza dough at home?",
    "What did Li Fan say about her plans?",  # the antecedent is in the question
    "Is there a National Center in Uzbekistan?",
    "What is the city that hosted CASIE 2022?",
    "Кто представил IIOE на симпозиуме?",
]


@pytest.mark.parametrize("question", FOLLOW_UPS)
def test_follow_ups_are_recognised(question: str) -> None:
    assert is_follow_up(question)


@pytest.mark.parametrize("question", STANDALONE)
def test_standalone_questions_are_recognised(question: str) -> None:
    assert not is_follow_up(question)


def test_without_history_the_question_is_the_query() -> None:
    assert retrieval_query("What position does she hold?") == "What position does she hold?"
    assert retrieval_query("What position does she hold?", []) == "What position does she hold?"


def test_follow_up_is_searched_with_the_previous_question() -> None:
    history = [("user", "Who presented IIOE at the symposium?"), ("assistant", "Ms. Li Fan [1]")]
    assert retrieval_query("What position does she hold?", history) == (
        "What position does she hold? Who presented IIOE at the symposium?"
    )


def test_standalone_question_ignores_the_history() -> None:
    history = [("user", "Who presented IIOE at the symposium?"), ("assistant", "Li Fan")]
    assert retrieval_query("What is CASIE short for?", history) == "What is CASIE short for?"


def test_assistant_turns_are_not_searched() -> None:
    history = [("assistant", "Welcome! Ask me about IIOE.")]
    assert retrieval_query("Where was it held?", history) == "Where was it held?"


def test_a_chain_keeps_its_first_and_latest_questions() -> None:
    history = [
        ("user", "Who presented IIOE at the symposium?"),
        ("user", "What position does she hold?"),
        ("user", "What was the title of her presentation"),
    ]
    assert retrieval_query("What did she announce at the end?", history) == (
        "What did she announce at the end? Who presented IIOE at the symposium? "
        "What was the title of her presentation?"
    )


def test_a_new_topic_resets_the_chain() -> None:
    history = [
        ("user", "Who presented IIOE at the symposium?"),
        ("user", "What position does she hold?"),
        ("user", "When did CASIE 2022 take place?"),
    ]
    assert retrieval_query("Where was it held?", history) == (
        "Where was it held? When did CASIE 2022 take place?"
    )


def test_the_query_stays_bounded() -> None:
    long_question = "Which " + " ".join(f"word{i}" for i in range(70)) + " did UNESCO fund?"
    history = [("user", long_question), ("user", "Why?"), ("user", "How?")]
    query = retrieval_query("Where was it?", history)
    assert query.startswith("Where was it? Which word0")
    assert len(query.split()) <= MAX_QUERY_WORDS + 5


# --- against the default corpus ------------------------------------------------------

# (earlier user questions, follow-up, text that a cited quote must contain)
RESOLVED = [
    (["Who presented IIOE at the symposium?"], "What position does she hold?", "li fan"),
    (
        ["When did the 2022 Central Asian Symposium on ICT in Education take place?"],
        "Where was it held?",
        "almaty",
    ),
    (
        ["Where does UNESCO-ICHEI plan to establish an IIOE National Center?"],
        "What is it supposed to serve as?",
        "think tank",
    ),
    (
        ["What is Elena Klepacheva's job title?"],
        "Which ministry is her institute under?",
        "ministry of education",
    ),
    (
        ["When will the upcoming regional event on digital transformation take place?"],
        "Who will co-organise it?",
        "unesco almaty",
    ),
    (["Which office organised CASIE 2022?"], "How many experts did it gather?", "60"),
    (
        ["Who presented IIOE at the symposium?", "What position does she hold?"],
        "What was the title of her presentation?",
        "digital transformation of higher education",
    ),
    (
        ["Which institute does Tatyana Murovana work for?"],
        "What is her position there?",
        "programme specialist",
    ),
    (["When did UNESCO start organising CASIE?"], "What is its purpose?", "platform"),
    (
        ["What did Li Fan announce at the end of her talk?"],
        "When will that event take place?",
        "late november",
    ),
]

# (earlier user question, a question on another topic, text its cited quote must contain;
# None: the documents do not answer it)
TOPIC_CHANGES = [
    (["Who presented IIOE at the symposium?"], "How do I make pizza dough at home?", None),
    (["What position does Li Fan hold?"], "Since what year has CASIE been organised?", "2011"),
    (["Who presented IIOE at the symposium?"], "How many experts attended CASIE 2022?", "60"),
    (
        ["Where does UNESCO-ICHEI plan to establish an IIOE National Center?"],
        "Which countries besides Central Asia sent participants to CASIE 2022?",
        "mongolia",
    ),
    (["Which IT company does Gunay Karli work for?"], "What is the capital of Australia?", None),
    (["What is Elena Klepacheva's job title?"], "What is CASIE short for?", "ict in education"),
    (
        ["When did CASIE 2022 take place?"],
        "Which ministry is Elena Klepacheva's institute under?",
        "ministry of education",
    ),
]


def _history(questions: list[str]) -> list[tuple[str, str]]:
    turns: list[tuple[str, str]] = []
    for question in questions:
        turns += [("user", question), ("assistant", "(an earlier answer)")]
    return turns


@pytest.mark.parametrize(("earlier", "question", "expected"), RESOLVED)
def test_follow_up_retrieves_the_passage_of_its_topic(
    pipeline: QAPipeline, earlier: list[str], question: str, expected: str
) -> None:
    answer = pipeline.ask(question, history=_history(earlier))
    assert not answer.abstained, answer.answer
    assert any(expected in c.quote.lower() for c in answer.citations), answer.answer


def test_li_fan_follow_up_needs_the_history(pipeline: QAPipeline) -> None:
    """The follow-up alone is not enough: it is the history that finds her."""
    alone = pipeline.ask("What position does she hold?", include_passages=True)
    assert not any("li fan" in c.quote.lower() for c in alone.citations)
    followed = pipeline.ask(
        "What position does she hold?",
        history=_history(["Who presented IIOE at the symposium?"]),
        include_passages=True,
    )
    assert followed.passages
    assert "li fan" in followed.passages[0].text.lower()


@pytest.mark.parametrize(("earlier", "question", "expected"), TOPIC_CHANGES)
def test_a_change_of_topic_is_not_dragged_back(
    pipeline: QAPipeline, earlier: list[str], question: str, expected: str | None
) -> None:
    followed = pipeline.ask(question, history=_history(earlier))
    alone = pipeline.ask(question)
    assert followed.answer == alone.answer
    assert followed.citations == alone.citations
    if expected is None:
        assert followed.abstained
    else:
        assert any(expected in c.quote.lower() for c in followed.citations), followed.answer


# --- a follow-up made to stand on its own (what the cross-encoder reads) ----------------

STANDALONE_FOLLOW_UPS = [
    (
        [
            ("user", "At what altitude is the Kessler Glacier Research Station?"),
            ("assistant", "..."),
        ],
        "How many researchers work there?",
        "How many researchers work there (Kessler Glacier Research Station)?",
    ),
    (
        [
            ("user", "Who is the head librarian of the Riverside Community Library?"),
            ("assistant", "The head librarian, Mr. Tomas Berg, has run the library since 2015."),
        ],
        "Where did he work before?",
        "Where did he (Mr. Tomas Berg) work before?",
    ),
    (
        [("user", "Who directs the Kessler Glacier Research Station?"), ("assistant", "...")],
        "And the Harbour Music Festival?",
        "Who directs the Harbour Music Festival?",
    ),
    (
        [("user", "Какую должность занимает Гунай Карли?"), ("assistant", "...")],
        "А Елена Клепачева?",
        "Какую должность занимает Елена Клепачева?",
    ),
    (  # nothing to resolve it with: the question with its topic, as for retrieval
        [("user", "Who presented IIOE at the symposium?"), ("assistant", "UNESCO-ICHEI did.")],
        "What position does she hold?",
        "What position does she hold? Who presented IIOE at the symposium?",
    ),
    (  # not a follow-up
        [("user", "Who presented IIOE at the symposium?"), ("assistant", "Ms. Li Fan")],
        "Where is CASIE 2022 held?",
        "Where is CASIE 2022 held?",
    ),
]


@pytest.mark.parametrize(("history", "question", "expected"), STANDALONE_FOLLOW_UPS)
def test_a_follow_up_made_to_stand_on_its_own(
    history: list[tuple[str, str]], question: str, expected: str
) -> None:
    assert standalone_query(question, history) == expected


def test_long_earlier_turns_are_cut_to_the_word_bound() -> None:
    """Earlier turns may be 20,000 characters each; the query stays bounded."""
    history = [("user", "Where was " + "the big symposium " * 2000 + "held?")] * 3
    query = retrieval_query("And when?", history)
    assert query.startswith("And when? Where was the big symposium")
    assert len(query.split()) <= MAX_QUERY_WORDS + 2


def test_an_unanswerable_follow_up_is_refused_not_answered_from_the_topic(
    pipeline: QAPipeline,
) -> None:
    """ "What was the weather like there?" after "Where was CASIE 2022 held?" took the
    passage of the earlier question (the combined text still matched it)."""
    history = [("user", "Where was CASIE 2022 held?"), ("assistant", "In Almaty, Kazakhstan.")]
    assert pipeline.ask("What was the weather like there?", history=history).abstained


NAMES_NO_ONE = [
    ("user", "Who presented IIOE at the symposium?"),
    ("assistant", "UNESCO-ICHEI introduced IIOE to participants from Central Asia."),
]


def test_a_pronoun_is_left_for_the_documents_when_the_conversation_names_nobody() -> None:
    assert pronoun_without_person("What position does she hold?", NAMES_NO_ONE) == "she"
    assert standalone_query("What position does she hold?", NAMES_NO_ONE, person="Ms. Li Fan") == (
        "What position does she (Ms. Li Fan) hold?"
    )


@pytest.mark.parametrize(
    ("history", "question"),
    [
        ([], "What position does she hold?"),  # no conversation
        (NAMES_NO_ONE, "Where was it held?"),  # not a person
        (NAMES_NO_ONE, "And Tatyana Murovana?"),  # a continuation, resolved by name
        (  # the previous answer names her
            [("user", "Who presented IIOE?"), ("assistant", "Ms. Li Fan presented it.")],
            "What position does she hold?",
        ),
        (  # the earlier question names her
            [("user", "Which institute does Tatyana Murovana work for?")],
            "What is her position?",
        ),
    ],
)
def test_no_pronoun_is_left_when_the_conversation_resolves_it(
    history: list[tuple[str, str]], question: str
) -> None:
    assert pronoun_without_person(question, history) is None


def test_she_never_stands_for_a_man_the_answer_names() -> None:
    history = [
        ("user", "Who runs the library?"),
        ("assistant", "Mr. Tomas Berg runs it with Ms. Ada Lind."),
    ]
    assert standalone_query("Where did she work before?", history) == (
        "Where did she (Ms. Ada Lind) work before?"
    )
    assert pronoun_without_person("Where did he work before?", history) is None
