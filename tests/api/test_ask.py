"""POST /v1/ask and /v1/search over real HTTP, and the health endpoints."""

from __future__ import annotations

import httpx

from qa.pipeline import QAPipeline
from tests.conftest import CORPUS

DOCUMENT = (CORPUS / "unesco-ichei-iioe-central-asia.txt").read_text(encoding="utf-8")
QUESTION = "Where does UNESCO-ICHEI plan to establish an IIOE National Center?"


def test_ask_answers_uzbekistan_with_a_verbatim_citation(http: httpx.Client) -> None:
    response = http.post("/v1/ask", json={"question": QUESTION})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "answer",
        "abstained",
        "citations",
        "confidence",
        "short_answer",
        "timings_ms",
    }
    assert body["short_answer"]["text"] == "Uzbekistan"
    assert "Uzbekistan" in body["answer"]
    assert body["abstained"] is False
    assert body["citations"]
    for citation in body["citations"]:
        assert DOCUMENT[citation["start"] : citation["end"]] == citation["quote"]
        assert f"[{citation['n']}]" in body["answer"]
        assert citation["doc_id"] == "unesco-ichei-iioe-central-asia.txt"
        assert citation["title"] == "UNESCO-ICHEI introduced IIOE to Central Asian countries"
        assert citation["chunk_id"].startswith(citation["doc_id"] + "#")
    assert any("Uzbekistan" in c["quote"] for c in body["citations"])


def test_ask_with_passages_and_top_k(http: httpx.Client) -> None:
    body = http.post(
        "/v1/ask", json={"question": QUESTION, "top_k": 3, "include_passages": True}
    ).json()
    passages = body["passages"]
    assert 1 <= len(passages) <= 3
    for passage in passages:
        assert DOCUMENT[passage["start"] : passage["end"]] == passage["text"]
    assert "Uzbekistan" in passages[0]["text"]


def test_top_k_is_how_many_passages_come_back(http: httpx.Client, pipeline: QAPipeline) -> None:
    """/v1/search returns `top_k` results, /v1/ask `top_k` passages with include_passages
    (CITEQA_TOP_K when absent): the best-ranked first, the answer the same whatever top_k."""
    answers, rankings = [], []
    for top_k, count in ((1, 1), (4, 4), (None, pipeline.settings.top_k)):
        chosen = {} if top_k is None else {"top_k": top_k}
        results = http.post("/v1/search", json={"query": QUESTION, **chosen}).json()["results"]
        assert len(results) == count
        body = http.post(
            "/v1/ask", json={"question": QUESTION, "include_passages": True, **chosen}
        ).json()
        assert len(body["passages"]) == count
        assert [p["chunk_id"] for p in body["passages"]] == [r["chunk_id"] for r in results]
        answers.append((body["answer"], body["citations"]))
        rankings.append([p["chunk_id"] for p in body["passages"]])
    assert answers[0] == answers[1] == answers[2]
    assert rankings[1][:1] == rankings[0]
    assert rankings[2][:4] == rankings[1]


def test_top_k_without_include_passages_returns_no_passages(http: httpx.Client) -> None:
    body = http.post("/v1/ask", json={"question": QUESTION, "top_k": 4}).json()
    assert "passages" not in body
    assert "Uzbekistan" in body["answer"]


def test_search_returns_ranked_passages(http: httpx.Client) -> None:
    response = http.post(
        "/v1/search", json={"query": "regional event in late November", "top_k": 2}
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 2
    assert "late November" in results[0]["text"]
    assert set(results[0]) == {
        "chunk_id",
        "doc_id",
        "title",
        "source",
        "text",
        "start",
        "end",
        "score",
    }


def test_filters_restrict_before_ranking(http: httpx.Client) -> None:
    matching = http.post(
        "/v1/search",
        json={"query": QUESTION, "filters": {"publisher": {"$in": ["UNESCO-ICHEI", "x"]}}},
    ).json()["results"]
    assert matching
    none = http.post("/v1/search", json={"query": QUESTION, "filters": {"lang": "kk"}}).json()[
        "results"
    ]
    assert none == []
    abstained = http.post(
        "/v1/ask", json={"question": QUESTION, "filters": {"doc_id": "no-such-document"}}
    ).json()
    assert abstained["abstained"] is True


def test_off_topic_question_abstains(http: httpx.Client) -> None:
    body = http.post("/v1/ask", json={"question": "What is the boiling point of mercury?"}).json()
    assert body == {**body, "abstained": True, "citations": []}
    assert body["answer"] == "I could not find this in the documents."


def test_health_readiness_and_docs(http: httpx.Client) -> None:
    assert http.get("/healthz").json() == {"status": "ok"}
    ready = http.get("/readyz").json()
    assert ready["status"] == "ready"
    assert ready["documents"] == 1
    assert ready["chunks"] > 1
    assert http.get("/docs").status_code == 200
    paths = http.get("/openapi.json").json()["paths"]
    assert {"/v1/ask", "/v1/search", "/healthz", "/readyz"} <= set(paths)


def test_confidence_has_four_digits_at_most(http: httpx.Client) -> None:
    """It was printed with 16 ("confidence": 0.9986258297422548)."""
    body = http.post("/v1/ask", json={"question": "Where was CASIE 2022 held?"}).json()
    assert body["confidence"] == round(body["confidence"], 4)
    assert len(repr(body["confidence"]).split(".")[-1]) <= 4
