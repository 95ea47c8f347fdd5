"""Names in text, and what a follow-up's pronoun stands for."""

from __future__ import annotations

import pytest

from qa.referents import Name, names, person_referent, thing_referent, titled_person


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "When did the 2022 Central Asian Symposium on ICT in Education take place?",
            [Name("2022 Central Asian Symposium on ICT in Education", person=False)],
        ),
        (
            "The head librarian, Mr. Tomas Berg, has run the library since 2015.",
            [Name("Mr. Tomas Berg", person=True), Name("2015", person=False)],
        ),
        ("What is Gunay Karli's position?", [Name("Gunay Karli", person=True)]),
        (
            "Who is the head librarian of the Riverside Community Library?",
            [Name("Riverside Community Library", person=False)],
        ),
        (
            "Его основал капитан в отставке Игорь Соколов, который водил пароходы по Волге.",
            [Name("Игорь Соколов", person=True), Name("Волге", person=False)],
        ),
        ("Elena Klepacheva is a lecturer.", [Name("Elena Klepacheva", person=True)]),
        ("Who presented it at the symposium?", []),
    ],
)
def test_names(text: str, expected: list[Name]) -> None:
    assert names(text) == expected


def test_a_person_asked_about_comes_before_those_the_answer_names() -> None:
    earlier = ["Which institute does Tatyana Murovana work for?"]
    answer = "Ms. Elena Klepacheva, Senior Lecturer, and Ms. Tatyana Murovana, Specialist."
    assert person_referent(earlier, answer) == "Tatyana Murovana"


def test_otherwise_the_answer_names_the_person_a_title_first() -> None:
    earlier = ["Who directs the Kessler Glacier Research Station?"]
    answer = "Its director, Dr. Pavel Novak, leads a team that measures the Kessler Glacier."
    assert person_referent(earlier, answer) == "Dr. Pavel Novak"
    assert person_referent(earlier, "It was opened in 1987.") is None


def test_a_thing_is_the_latest_name_of_the_previous_question_not_a_person() -> None:
    assert thing_referent(["Where does UNESCO-ICHEI plan an IIOE National Center?"]) == (
        "IIOE National Center"
    )
    assert thing_referent(["What did Ms. Li Fan announce?"]) is None
    assert thing_referent([]) is None


def test_a_title_agrees_with_the_pronoun() -> None:
    earlier = ["Who runs the library?"]
    answer = "Mr. Tomas Berg runs it with Ms. Ada Lind; Dr. Kim Ode helps."
    assert person_referent(earlier, answer, "she") == "Ms. Ada Lind"
    assert person_referent(earlier, answer, "his") == "Mr. Tomas Berg"
    assert person_referent(earlier, "Ms. Ada Lind runs it.", "he") is None
    assert person_referent(earlier, "Dr. Kim Ode runs it.", "she") == "Dr. Kim Ode"


def test_a_titled_person_is_found_in_the_first_texts_and_written_out_in_full() -> None:
    texts = [
        "UNESCO-ICHEI took part in the symposium.",
        "Specifically, Ms. Li fan gave a presentation on Digital Transformation.",
        "Mr. Ivan Petrov chaired the session.",
        "Finally, Ms. Li Fan made an announcement.",
    ]
    assert titled_person(texts, "she", first=2) == "Ms. Li Fan"
    assert titled_person(texts, "he", first=2) is None  # Mr. Ivan Petrov is third
    assert titled_person(texts, "he", first=3) == "Mr. Ivan Petrov"
    # a capitalised phrase without a title is not taken for a person
    assert titled_person(["Digital Transformation Works was launched."], "she", first=1) is None
