"""Follow-up questions: what to retrieve with when a question comes after earlier turns.

No language model rewrites follow-ups by default, so the decision is made from the text
alone, cheaply and predictably. A question leans on the conversation when

- it refers back: a third-person pronoun with no name before it in the question ("What
  position does *she* hold?", "Where was *it* held?"; for he/she only a person-like name
  counts, not an acronym), a demonstrative ("Who organised *this* event?", "Is *that*
  true?"), or "there", "then", "else" pointing outside it; or
- it is elliptical: it opens as a continuation ("And ...", "What about ...") or has too
  little content to stand on its own (at most one content word and no name: "Why?",
  "Which year?").

Any other question is standalone, a new topic or a restated one, and is searched exactly
as asked, so a change of topic is never dragged back. A follow-up is searched as itself
followed by the questions of its topic: the first question of the topic and the latest
follow-up before it (a chain of follow-ups keeps its topic, and a referent introduced
on the way, "What about Gunay Karli?", stays in reach). Each question keeps its end mark,
which the cross-encoder reads as a boundary. Assistant turns are left out: an extractive
answer quotes whole sentences whose many names would outweigh the question's.

Only retrieval and reranking see the combined text; the composer is handed the question
as asked. Known limit: a follow-up the documents cannot answer ("How old is she?") may be
answered with the passage of the earlier question, since the combined text still matches
it; telling the two apart needs the follow-up scored on its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.referents import (
    EITHER_PRONOUNS,
    PERSON_PRONOUNS,
    THING_PRONOUNS,
    names,
    person_referent,
    thing_referent,
)

History = Sequence[tuple[str, str]]

MAX_TOPIC_QUESTIONS = 3
"""A topic is its first question, the latest follow-up before this one, and this one."""
MAX_QUERY_WORDS = 80
"""Bound on a resolved query; the first and the latest question are always kept."""

_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Personal pronouns need an antecedent outside the question unless a name comes before
# them; for those that stand for a person only a person-like name counts.
_PERSON = _words("he she him her his hers himself herself")
_PERSONAL = _PERSON | _words(
    "it they them its their theirs itself themselves "
    "он она оно они его её ее ему ей им ими них нее неё нему ней нём нем "  # Russian
    "ол оның оны оған онда одан олар олардың оларды оларға"  # Kazakh
)
# Words that point outside the question wherever they stand.
_DEICTIC = _words(
    "this these those then else former latter "
    "этот эта эти этого этой этим этих этом тот того той тех там тогда ещё еще "
    "бұл бұның осы сол сонда"
)
_BE = _words("is are was were be been being will would can could has have had")
# "that" points back (a pronoun or determiner, not a conjunction or a relative) after an
# auxiliary, a preposition or a question word, and at the end of a question.
_BEFORE_POINTING_THAT = _BE | _words(
    "does did do should about of after before with for like from to in at on during since "
    "by and what why how when where who which"
)
_CONTINUATION = re.compile(
    r"^\s*(?:and|but|also|or|so|what about|how about|а|и|но|ал|және)\b", re.IGNORECASE
)
_STOPWORDS = _words(
    "a an the of in on at to for from by with about as into over after before during "
    "between and or but if so than then too also not no is are was were be been being am "
    "do does did done has have had will would shall should can could may might must "
    "what which who whom whose when where why how whether there here that this these those "
    "it its i me my we our you your he she they him her them his their "
    "any some all each every other another more most such same very much many "
    "tell give show explain describe please exactly again "
    "что кто где когда как какой какая какие каком почему зачем сколько ли и а но в во на "
    "о об от до по за из с со к у для при про же это был была были было не да бы "
    "қандай қай қашан қайда неше неге кім қалай ма ме ба бе па пе және мен бен пен "
    "үшін туралы бойынша"
)


def retrieval_query(question: str, history: History | None = None) -> str:
    """The text to retrieve with for `question`, given the earlier turns (role, content):
    the question followed by the questions of its topic (bounded, MAX_QUERY_WORDS)."""
    _, earlier, asked = _turns(question, history)
    return _bounded([asked, *earlier]) if earlier else asked


def standalone_query(
    question: str, history: History | None = None, *, person: str | None = None
) -> str:
    """`question` made to stand on its own where what it leans on is a name (see
    `_resolved`), else `retrieval_query`. The cross-encoder reads this one: with the
    earlier question after it, that question's words outweighed the follow-up's own
    ("How many researchers work there? At what altitude is the station?" was answered with
    the altitude), and a follow-up the documents cannot answer ("How old is he?") took the
    earlier question's passage. `person`: who a personal pronoun stands for when the
    conversation names nobody it could (see `pronoun_without_person`)."""
    answer, earlier, asked = _turns(question, history)
    resolved = _resolved(asked, earlier, answer, person) if earlier else None
    return _as_sentence(resolved) if resolved else retrieval_query(question, history)


def pronoun_without_person(question: str, history: History | None = None) -> str | None:
    """The personal pronoun `question` leans on ("she") when the conversation names no
    person it could stand for: the previous answer may name only an organisation ("Who
    presented IIOE?" answered with "UNESCO-ICHEI ... introduced IIOE"), while the passages
    found for the question with its topic name her. None when there is nothing to find."""
    answer, earlier, asked = _turns(question, history)
    if not earlier or _CONTINUATION.match(asked):
        return None
    match = _leaned_on(asked)
    if match is None or match.group().lower() not in PERSON_PRONOUNS:
        return None
    word = match.group().lower()
    if _person_asked_about(earlier) or _referent(word, earlier, answer) is not None:
        return None
    return word


def _turns(question: str, history: History | None) -> tuple[str | None, list[str], str]:
    """The previous answer, the earlier questions of the topic, and the question."""
    topic: list[str] = []
    answer: str | None = None
    for role, content in history or ():
        if role == "user":
            topic, answer = _topic_after(topic, content), None
        else:
            answer = content
    *earlier, asked = _topic_after(topic, question)
    return answer, earlier, asked


def _resolved(
    asked: str, earlier: list[str], answer: str | None, person: str | None = None
) -> str | None:
    """`asked` made to stand on its own, where what it leans on is a name: "And Elena
    Klepacheva?" after "What is Gunay Karli's position?" is "What is Elena Klepacheva's
    position?"; "Where did he work before?" after an answer naming Mr. Tomas Berg is
    "Where did he (Mr. Tomas Berg) work before?"; `person` stands in when the conversation
    names nobody. None when no name is found."""
    continued = _CONTINUATION.match(asked)
    if continued:
        return _substituted(asked[continued.end() :], earlier[-1])
    match = _leaned_on(asked)
    if match is None:
        return None
    word = match.group().lower()
    if word in PERSON_PRONOUNS and _person_asked_about(earlier):
        # The person is named in the earlier questions, which the follow-up is searched
        # with anyway; on its own it would lose their other words ("Which institute does
        # Tatyana Murovana work for?" then "What is her position?").
        return None
    referent = _referent(word, earlier, answer)
    if referent is None and word in PERSON_PRONOUNS:
        referent = person
    if referent is None or referent.lower() in asked.lower():
        return None
    return f"{asked[: match.end()]} ({referent}){asked[match.end() :]}"


def _leaned_on(asked: str) -> re.Match[str] | None:
    """The first pronoun of `asked` that stands for something outside it: a personal one,
    or "it", "they", "there" (not the "there" of "is there")."""
    for match in _TOKEN.finditer(asked):
        word = match.group().lower()
        if word in PERSON_PRONOUNS:
            return match
        if word in THING_PRONOUNS and not (word == "there" and _is_existential(asked, match)):
            return match
    return None


def _person_asked_about(earlier: list[str]) -> bool:
    return any(n.person for question in earlier for n in names(question))


def _referent(word: str, earlier: list[str], answer: str | None) -> str | None:
    """What the conversation gives pronoun `word` to stand for, if anything (see
    qa.referents)."""
    if word not in PERSON_PRONOUNS:
        return thing_referent(earlier)
    referent = person_referent(earlier, answer, word)
    if referent is None and word in EITHER_PRONOUNS:
        referent = thing_referent(earlier)
    return referent


def _substituted(rest: str, previous: str) -> str | None:
    """The previous question about the name that `rest` ("the Harbour Music Festival?")
    consists of, when the previous question holds exactly one name to replace."""
    given = names(rest.strip(" ?.!"))
    replaced = [n for n in names(previous) if not n.text.isdigit()]
    words = [w for w in _TOKEN.findall(rest) if w.lower() not in ("the", "a", "an")]
    if len(given) != 1 or len(replaced) != 1 or len(_TOKEN.findall(given[0].text)) != len(words):
        return None
    return previous.replace(replaced[0].text, given[0].text, 1)


def _is_existential(question: str, match: re.Match[str]) -> bool:
    lowered = [t.lower() for t in _TOKEN.findall(question)]
    position = len(_TOKEN.findall(question[: match.start()]))
    return _existential(lowered, position)


def _bounded(questions: list[str]) -> str:
    """The questions as one text of at most MAX_QUERY_WORDS words, the first whole and
    each later one cut to what is left (earlier turns may be 20,000 characters long)."""
    parts: list[str] = []
    left = max(MAX_QUERY_WORDS, len(_tokens(questions[0])))
    for question in questions:
        words = list(_TOKEN.finditer(question))
        if not words or left <= 0:
            continue
        kept = question if len(words) <= left else question[: words[left - 1].end()]
        parts.append(_as_sentence(kept))
        left -= min(len(words), left)
    return " ".join(parts)


def is_follow_up(question: str) -> bool:
    """Whether `question` leans on an earlier turn (see the module docstring)."""
    return bool(_CONTINUATION.match(question)) or refers_back(question) or _too_short(question)


def refers_back(question: str) -> bool:
    """A pronoun, demonstrative or adverb whose antecedent is not in the question."""
    tokens = _tokens(question)
    lowered = [t.lower() for t in tokens]
    for i, word in enumerate(lowered):
        if word in _DEICTIC:
            return True
        if word in _PERSONAL:
            is_antecedent = _is_person_name if word in _PERSON else _is_name
            if not any(is_antecedent(t, j) for j, t in enumerate(tokens[:i])):
                return True
        if word == "there" and not _existential(lowered, i):
            return True
        if word == "that" and (i == len(lowered) - 1 or lowered[i - 1] in _BEFORE_POINTING_THAT):
            return True
    return False


def _topic_after(topic: list[str], question: str) -> list[str]:
    """The questions of the topic once `question` is asked: a standalone question starts a
    new topic; a follow-up joins the current one (see MAX_TOPIC_QUESTIONS)."""
    question = question.strip()
    if not question:
        return topic
    if not topic or not is_follow_up(question):
        return [question]
    joined = [topic[0], *topic[1:][-(MAX_TOPIC_QUESTIONS - 2) :], question]
    while len(joined) > 2 and sum(len(_tokens(q)) for q in joined) > MAX_QUERY_WORDS:
        del joined[1]
    return joined


def _as_sentence(text: str) -> str:
    return text if text[-1:] in ".?!。？！" else text + "?"


def _too_short(question: str) -> bool:
    tokens = _tokens(question)
    if any(_is_name(t, i) for i, t in enumerate(tokens)):
        return False
    return sum(t.lower() not in _STOPWORDS for t in tokens) <= 1


def _existential(lowered: list[str], i: int) -> bool:
    """ "there is", "are there any ...", as opposed to "who was there?"."""
    following = lowered[i + 1] if i + 1 < len(lowered) else None
    if following in _BE:
        return True
    return following is not None and i > 0 and lowered[i - 1] in _BE


def _is_name(token: str, position: int) -> bool:
    """Capitalised inside the question, an acronym, or a number."""
    if any(ch.isdigit() for ch in token) or sum(ch.isupper() for ch in token) >= 2:
        return True
    return position > 0 and token[:1].isupper() and token != "I"


def _is_person_name(token: str, position: int) -> bool:
    return position > 0 and token[:1].isupper() and token[1:] == token[1:].lower()


def _tokens(text: str) -> list[str]:
    return [re.sub(r"['’]s$", "", t) for t in _TOKEN.findall(text)]
