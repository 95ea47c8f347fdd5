"""A line break that only wraps a sentence does not end it; titles, list items, headings,
verse lines and paragraphs still end at theirs."""

from __future__ import annotations

import textwrap

import pytest

from index.text.sentences import split_sentences

RUSSIAN = (
    "«Пантерз» закончили регулярный сезон с результатом 15–1, а их квотербек Кэм Ньютон был "
    "признан самым ценным игроком (MVP) НФЛ. В финале НФК они обыграли «Аризону Кардиналс» "
    "со счётом 49:15 и вышли во второй Супербоул с момента основания клуба в 1995 году. "
    "«Бронкос» закончили регулярный сезон с результатом 12–4 и лишили «Нью-Ингленд Пэтриотс» "
    "шанса защитить титул, завоёванный в Супербоуле XLIX, победив их со счётом 20:18."
)
KAZAKH = (
    "Абай Құнанбайұлы 1845 жылы Шыңғыстау баурайында дүниеге келген қазақтың ұлы ақыны, "
    "ағартушысы, жазба әдебиетінің негізін салушы. Ол орыс және Батыс Еуропа ақындарының "
    "шығармаларын қазақ тіліне аударып, Алматы мен Семей оқырмандарына таныстырған. Ақын "
    "1904 жылы Шыңғыстауда қайтыс болған және сонда жерленген."
)
ENGLISH = (
    "Tesla gained experience in telephony and electrical engineering before emigrating to "
    "the United States in 1884 to work for Thomas Edison in New York City. He soon struck "
    "out on his own with financial backers, setting up laboratories and companies to "
    "develop a range of electrical devices. His patented AC induction motor and "
    "transformer were licensed by George Westinghouse."
)


def sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


def flat(parts: list[str]) -> list[str]:
    return [" ".join(part.split()) for part in parts]


@pytest.mark.parametrize("paragraph", [RUSSIAN, KAZAKH, ENGLISH])
@pytest.mark.parametrize("width", [50, 64, 76, 90])
def test_hard_wrapped_paragraphs_keep_their_sentences(paragraph: str, width: int) -> None:
    wrapped = textwrap.fill(paragraph, width=width, break_long_words=False)
    assert "\n" in wrapped
    assert flat(sentences(wrapped)) == sentences(paragraph)


def test_quotes_of_wrapped_sentences_are_verbatim() -> None:
    text = "Title\n\n" + textwrap.fill(KAZAKH, width=60)
    for span in split_sentences(text):
        assert text[span.start : span.end].strip() == text[span.start : span.end]
    assert any("\n" in part for part in sentences(text))


def test_a_word_hyphenated_across_lines_stays_in_its_sentence() -> None:
    text = "Шоқпарбастар болбырау пайда-\nлану сапасынан айырылады. Келесі сөйлем."
    assert sentences(text) == [
        "Шоқпарбастар болбырау пайда-\nлану сапасынан айырылады.",
        "Келесі сөйлем.",
    ]


def test_titles_headings_lists_and_paragraphs_still_end_at_their_breaks() -> None:
    text = (
        "Көктамырлар\n"
        "=== Кіші қанайналым шеңбері ===\n"
        "Жеміс-жидекті дақылдардың жемісі 6 топқа бөлінеді. Олар:\n"
        "- шекілдеуікті жемістер\n"
        "- сүйекті жемістер\n"
        "1. Бірінші тарау\n"
        "2) Екінші тарау\n"
        "а) үшінші тарау\n"
        "* * *\n"
        "Жаңа абзац басталады және ол өте ұзақ болып келеді, сондықтан жолдың соңына дейін\n"
        "\n"
        "Басқа абзац."
    )
    assert sentences(text) == [
        "Көктамырлар",
        "=== Кіші қанайналым шеңбері ===",
        "Жеміс-жидекті дақылдардың жемісі 6 топқа бөлінеді.",
        "Олар:",
        "- шекілдеуікті жемістер",
        "- сүйекті жемістер",
        "1.",  # the segmenter's cut, as before: qa.rerank.readable never reads it
        "Бірінші тарау",
        "2) Екінші тарау",
        "а) үшінші тарау",
        "* * *",
        "Жаңа абзац басталады және ол өте ұзақ болып келеді, сондықтан жолдың соңына дейін",
        "Басқа абзац.",
    ]


def test_verse_lines_and_a_lone_dash_stay_apart() -> None:
    verse = "Қара қазан, сары бала қамы үшін\nҚара қылды қақ жарған әділ бидің\n-\nТүбі бір"
    assert sentences(verse) == [
        "Қара қазан, сары бала қамы үшін",
        "Қара қылды қақ жарған әділ бидің",
        "-",
        "Түбі бір",
    ]


@pytest.mark.parametrize("dash", ["-", "–", "—"])
def test_dashed_list_items_stay_apart_however_long(dash: str) -> None:
    first = "The first item of the list runs almost to the end of the widest line here"
    second = "The second item is about as long as the first one of the list is"
    text = f"{dash} {first}\n{dash} {second}"
    assert sentences(text) == [f"{dash} {first}", f"{dash} {second}"]


def test_a_dashed_item_wrapped_over_lines_stays_whole_before_the_next_item() -> None:
    item = "- The first item of this list is long enough that it was wrapped onto"
    text = f"{item}\na second line\n- The second item"
    assert sentences(text) == [f"{item}\na second line", "- The second item"]


def test_a_title_before_a_wrapped_paragraph_stays_a_title() -> None:
    text = "Супербоул 50\n" + textwrap.fill(RUSSIAN, width=76)
    assert flat(sentences(text)) == ["Супербоул 50", *sentences(RUSSIAN)]


def test_windows_line_endings_wrap_too() -> None:
    wrapped = textwrap.fill(ENGLISH, width=70).replace("\n", "\r\n")
    assert flat(sentences(wrapped)) == sentences(ENGLISH)
