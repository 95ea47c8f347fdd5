"""Names in a text, and the name a pronoun of a follow-up question stands for.

No parser runs here, so the rules are about how names are written:
- a name is a run of words each capitalised (not as the first word of a sentence), an
  acronym or a number, with the small words that join names inside it ("Symposium on ICT
  in Education", "Museum of Modern Art") and only spaces between its words;
- a person is a name after a title ("Ms. Li Fan", "Dr. Pavel Novak") or of two or three
  capitalised words and nothing else ("Maria Okafor", "Игорь Соколов").

A personal pronoun ("she", "his", "она", "его") stands for a person: the latest one named
in the earlier questions of the topic, else the first named in the previous answer (a
title first), which is where the answer to "Who ...?" names them. A title that tells a
gender agrees with the pronoun: "she" never stands for "Mr. Tomas Berg". "It", "they" or "there"
stand for the latest name in the previous question that is not a person or a bare number
("At what altitude is the Kessler Glacier Research Station?" -> "there"). Demonstratives
("this event", "that") are left alone: what they point at is seldom a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_TITLES = frozenset("mr ms mrs dr prof mx sir madam".split())
_JOINERS = frozenset("of on in for and the de du des la le von van der da di".split())
_SENTENCE_END = re.compile(r"[.!?…:;]")
# Last words of the names of places and organisations, which are not people.
_PLACE_OR_BODY = frozenset(
    "library station festival center centre institute university office symposium museum "
    "company council fund ministry republic programme program agency association school "
    "college hospital bank lines group club society foundation committee department "
    "organization organisation hall park street road river lake mountain valley glacier "
    "city town village county state province island bay port airport bridge church "
    "cathedral palace castle tower market square asia europe africa america service "
    "network project conference forum summit award prize studio theatre theater house "
    "court league union party corporation agreement treaty act day week".split()
)
_STARTERS = frozenset(
    "who what when where which why how whose whom is are was were do does did can could "
    "will would should the a an and but or in on at of for to from with by as if "
    "кто что когда где какой какая какие каком почему сколько как чем чей а и но в на "
    "кім не қашан қайда қандай қай неше неге қалай".split()
)

PERSON_PRONOUNS = frozenset(
    "he she him her his hers himself herself "
    "он она его её ее ему ей ним ней нём нем нему неё нее него"
    " ол оның оны оған онда одан".split()
)
# Russian and Kazakh third-person pronouns stand for things as well as people.
EITHER_PRONOUNS = frozenset("он она его её ее ему ей ним ней нём нем нему неё нее него ол".split())
_FEMININE = frozenset("she her hers herself она её ее ей ней неё нее".split())
_MASCULINE = frozenset("he him his himself он ему ним нём нем нему него".split())
_FEMININE_TITLES = frozenset("ms mrs madam".split())
_MASCULINE_TITLES = frozenset("mr sir".split())
THING_PRONOUNS = frozenset(
    "it its itself they them their theirs themselves there "
    "оно они их им ими них там олар олардың оларды оларға сонда".split()
)


@dataclass(frozen=True, slots=True)
class Name:
    text: str
    person: bool


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int
    opens_sentence: bool


def names(text: str) -> list[Name]:
    """The names written in `text`, in order (see the module docstring)."""
    tokens = _tokens(text)
    found: list[Name] = []
    run: list[_Token] = []
    for i, token in enumerate(tokens):
        joined = bool(run) and text[run[-1].end : token.start].strip() in ("", ".")
        if joined and _name_like(tokens, i):
            run.append(token)
            continue
        if joined and token.text.lower() in _JOINERS and _name_like(tokens, i + 1):
            run.append(token)
            continue
        _close(run, text, found)
        run = [token] if _name_like(tokens, i) else []
    _close(run, text, found)
    return found


def person_referent(earlier: list[str], answer: str | None, pronoun: str = "") -> str | None:
    """Who `pronoun` ("she", "his") in the next question stands for, if anyone is named."""
    for question in reversed(earlier):
        people = [n for n in names(question) if n.person and agrees(n, pronoun)]
        if people:
            return people[-1].text
    people = [n for n in names(answer or "") if n.person and agrees(n, pronoun)]
    titled = [n for n in people if _title(n) is not None]
    chosen = titled or people
    return chosen[0].text if chosen else None


def titled_person(texts: list[str], pronoun: str, first: int) -> str | None:
    """The first person named with a title that `pronoun` agrees with in the first `first`
    of `texts` ("Ms. Li" for "she"), written out as fully as any of `texts` names them
    ("Ms. Li Fan", where a sentence reads "Ms. Li fan gave ..." and another "Ms. Li Fan
    made ..."). Names without a title are passed over: capitalised phrases ("Digital
    Transformation") look like them."""
    named = [[n for n in names(text) if n.person] for text in texts]
    for name in (n for people in named[:first] for n in people):
        if _title(name) is not None and agrees(name, pronoun):
            longer = [
                p.text for people in named for p in people if p.text.startswith(name.text + " ")
            ]
            return max(longer, key=len, default=name.text)
    return None


def agrees(name: Name, pronoun: str) -> bool:
    """Whether the title of `name`, if it tells a gender, agrees with `pronoun`'s."""
    title = _title(name)
    pronoun = pronoun.lower()
    if pronoun in _FEMININE:
        return title not in _MASCULINE_TITLES
    if pronoun in _MASCULINE:
        return title not in _FEMININE_TITLES
    return True


def _title(name: Name) -> str | None:
    first = _tokens(name.text)[0].text.lower()
    return first if first in _TITLES and name.text.count(" ") else None


def thing_referent(earlier: list[str]) -> str | None:
    """What "it" or "there" in the next question stands for: the latest name of the
    previous question that is not a person or a bare number."""
    if not earlier:
        return None
    things = [
        n
        for n in names(earlier[-1])
        if not n.person and not all(t.text.isdigit() for t in _tokens(n.text))
    ]
    return things[-1].text if things else None


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    previous_end, previous = 0, ""
    for match in _WORD.finditer(text):
        gap = text[previous_end : match.start()]
        opens = not tokens or (bool(_SENTENCE_END.search(gap)) and previous.lower() not in _TITLES)
        tokens.append(_Token(match.group(), match.start(), match.end(), opens))
        previous_end, previous = match.end(), match.group()
    return tokens


def _name_like(tokens: list[_Token], i: int) -> bool:
    if i >= len(tokens):
        return False
    word = tokens[i].text
    if any(ch.isdigit() for ch in word) or sum(ch.isupper() for ch in word) >= 2:
        return True
    if not word[:1].isupper():
        return False
    if word.lower() in _TITLES:
        return True
    if not tokens[i].opens_sentence:
        return True
    # The first word of a sentence counts only when it opens a name ("Elena Klepacheva
    # said"), not when it is the sentence's own first word ("Who", "Since").
    return word.lower() not in _STARTERS and _name_like_inside(tokens, i + 1)


def _name_like_inside(tokens: list[_Token], i: int) -> bool:
    return (
        i < len(tokens)
        and not tokens[i].opens_sentence
        and (tokens[i].text[:1].isupper() or any(ch.isdigit() for ch in tokens[i].text))
    )


def _close(run: list[_Token], text: str, found: list[Name]) -> None:
    while run and run[-1].text.lower() in _JOINERS | _TITLES:
        run = run[:-1]
    if not run:
        return
    words = [t.text for t in run]
    if len(words) == 1 and words[0].lower() in _STARTERS:
        return
    span = re.sub(r"['’]s$", "", text[run[0].start : run[-1].end])
    titled = words[0].lower() in _TITLES and len(words) > 1
    plain = (
        2 <= len(words) <= 3
        and all(_title_case(w) for w in words)
        and words[-1].lower() not in _PLACE_OR_BODY
    )
    found.append(Name(span, person=titled or plain))


def _title_case(word: str) -> bool:
    letters = word.replace("-", "").replace("'", "").replace("’", "")
    return letters.isalpha() and word[:1].isupper() and word[1:] == word[1:].lower()
