"""Every question the API accepts is answered, on every route, whatever its length and
script: no 5xx, no error event, and in bounded time.

A question of about 1,070 characters or more gave HTTP 500 on /v1/ask (the cross-encoder's
truncation failed) and an error event on /v1/chat; 4,000 emoji took 52 s (multilingual-e5
read all 4,000 tokens). Each model now reads a bounded number of tokens
(CITEQA_MAX_QUESTION_TOKENS), so a question's time no longer grows with its length: the
bound below is generous for a loaded 2-core machine, and an order of magnitude under what
such questions took before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx_sse import connect_sse
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from api.settings import ApiSettings
from tests.conftest import CORPUS

MAX_CHARS = ApiSettings().max_question_chars
ASK_JSON_COMMAND = [sys.executable, "-m", "api.cli", "ask", "--json"]
# Seconds one answer may take here, the whole request included (before the token budget:
# 52 s for 4,000 emoji on /v1/ask alone).
BOUND_S = 30.0

ALPHABETS = {
    "english": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.?'-",
    "russian": "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ ,.?-",
    "kazakh": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюяАӘҒҚҢӨҰҮҺІ ,.?-",
    "emoji": "😀😂🥲🤔🙈🎉🚀🌍🔥💡👩‍🔬🇰🇿 ",
    "cjk": "联合国教科文组织计划在哪里建立国家中心研讨会的时间地点人物是谁？，。 ",
}
# One sentence per script, repeated to any length: realistic text, unlike random letters.
SENTENCES = {
    "english": "Where does UNESCO-ICHEI plan to establish an IIOE National Center? ",
    "russian": "Где ЮНЕСКО-ИКВО планирует создать национальный центр IIOE? ",
    "kazakh": "ЮНЕСКО-ICHEI IIOE ұлттық орталығын қай жерде құруды жоспарлап отыр? ",
    "emoji": "😀",
    "cjk": "联合国教科文组织计划在哪里建立国家中心？",
}


@st.composite
def questions(draw: st.DrawFn) -> str:
    """A question of 1 to MAX_CHARS characters in one of the scripts: a sentence repeated,
    or random characters of the script's alphabet; the longest lengths are drawn often."""
    script = draw(st.sampled_from(sorted(ALPHABETS)))
    length = draw(st.one_of(st.integers(1, MAX_CHARS), st.integers(MAX_CHARS - 50, MAX_CHARS)))
    if draw(st.booleans()):
        text = (SENTENCES[script] * (length // len(SENTENCES[script]) + 1))[:length]
    else:
        alphabet = ALPHABETS[script]
        seed = draw(st.integers(0, 2**32 - 1))
        text = "".join(alphabet[(seed + i * 7919) % len(alphabet)] for i in range(length))
    stripped = text.strip()
    return stripped if stripped else "?"


LONGEST = [(SENTENCES[s] * MAX_CHARS)[:MAX_CHARS].strip() for s in sorted(SENTENCES)]
PROPERTY = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def timed(call: Any) -> Any:
    started = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - started
    assert elapsed < BOUND_S, f"took {elapsed:.1f} s"
    return result


@pytest.fixture
def client(http: httpx.Client) -> httpx.Client:
    http.timeout = httpx.Timeout(BOUND_S * 4)
    return http


@PROPERTY
@given(question=questions())
@example(question=LONGEST[0])
@example(question=LONGEST[1])
@example(question=LONGEST[2])
@example(question=LONGEST[3])
@example(question=LONGEST[4])
def test_ask(client: httpx.Client, question: str) -> None:
    response = timed(lambda: client.post("/v1/ask", json={"question": question}))
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["abstained"], bool)


@PROPERTY
@given(query=questions())
@example(query=LONGEST[0])
@example(query=LONGEST[3])
def test_search(client: httpx.Client, query: str) -> None:
    response = timed(lambda: client.post("/v1/search", json={"query": query}))
    assert response.status_code == 200, response.text


@PROPERTY
@given(question=questions(), earlier=st.lists(questions(), max_size=3))
@example(question=LONGEST[2], earlier=[LONGEST[1], LONGEST[4]])
def test_chat_with_a_long_conversation(
    client: httpx.Client, question: str, earlier: list[str]
) -> None:
    history = [
        {"role": role, "content": text}
        for turn in earlier
        for role, text in (("user", turn), ("assistant", turn))
    ]
    body = {"question": question, "history": history}

    def events() -> list[str]:
        with connect_sse(client, "POST", "/v1/chat", json=body) as source:
            assert source.response.status_code == 200
            return [event.event for event in source.iter_sse()]

    names = timed(events)
    assert names[0] == "meta"
    assert names[-1] == "done"
    assert "error" not in names


@PROPERTY
@given(question=questions(), earlier=st.lists(questions(), max_size=2))
@example(question=LONGEST[3], earlier=[LONGEST[3]])
def test_chat_completions(client: httpx.Client, question: str, earlier: list[str]) -> None:
    messages = [{"role": "user", "content": text} for text in earlier]
    messages.append({"role": "user", "content": question})
    response = timed(
        lambda: client.post("/v1/chat/completions", json={"model": "citeqa", "messages": messages})
    )
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"]


def test_one_character_more_than_the_bound_is_a_clear_4xx(client: httpx.Client) -> None:
    response = client.post("/v1/ask", json={"question": "a" * (MAX_CHARS + 1)})
    assert response.status_code == 422
    assert "at most 4000" in response.json()["error"]["message"]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("index")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "api.cli",
            "index",
            "--corpus",
            str(CORPUS),
            "--index-dir",
            str(index),
        ],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
        timeout=900,
    )
    return index


# Only the longest question of each script: the other routes draw lengths and scripts at
# random in process, and each `citeqa ask` here is a new Python loading every model.
@pytest.mark.slow
@settings(PROPERTY, phases=[Phase.explicit])
@given(question=questions())
@example(question=LONGEST[0])
@example(question=LONGEST[1])
@example(question=LONGEST[2])
@example(question=LONGEST[3])
@example(question=LONGEST[4])
def test_citeqa_ask(index_dir: Path, question: str) -> None:
    """A new process each time: model loading is inside the bound too."""
    done = timed(
        lambda: subprocess.run(
            [*ASK_JSON_COMMAND, "--index-dir", str(index_dir), "--", question],
            capture_output=True,
            text=True,
            env=os.environ.copy(),
            timeout=BOUND_S * 4,
            check=False,
        )
    )
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout)["abstained"], bool)
