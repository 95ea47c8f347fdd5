"""Data types of the qa layer, shared by the API and evaluation: passages, citations, answers."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

NOT_FOUND = "I could not find this in the documents."


class Passage(BaseModel):
    """A retrieved chunk; `text == document_text[start:end]`."""

    chunk_id: str
    doc_id: str
    title: str
    source: str
    text: str
    start: int
    end: int
    score: float


class Citation(BaseModel):
    """What `[n]` in an answer points to: a verbatim quote and its offsets in the document."""

    n: int = Field(ge=1)
    doc_id: str
    title: str
    source: str
    chunk_id: str
    quote: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    score: float


class ShortAnswer(BaseModel):
    """The exact words that answer, inside citation `citation`'s quote:
    `document_text[start:end] == text`."""

    text: str
    citation: int = Field(ge=1, description="The `n` of the citation whose quote holds it.")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    score: float = Field(
        ge=0, le=1, description="Calibrated probability that these words are the answer."
    )


class Answer(BaseModel):
    """The body of `POST /v1/ask` (and of the final `done` event of `/v1/chat`)."""

    answer: str
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    confidence: float = Field(
        default=0.0,
        description="Evidence strength in [0, 1]; below the calibrated line we abstain.",
    )
    short_answer: ShortAnswer | None = Field(
        default=None,
        description="The words that answer, highlighted inside a cited quote; absent when "
        "the reader is not sure enough of them.",
    )
    timings_ms: dict[str, float] = Field(default_factory=dict)
    passages: list[Passage] | None = None
    fallback: bool | None = Field(
        default=None,
        description="With an LLM configured: true when the extractive answer stands in "
        "for a generated one that timed out, failed or had no supported sentence.",
    )
    fallback_reason: str | None = Field(
        default=None,
        description="Why: llm_timeout, llm_error, llm_empty, llm_declined or unsupported.",
    )

    @field_validator("confidence")
    @classmethod
    def _four_digits(cls, value: float) -> float:
        """0.9986 says all there is; 0.9986258297422548 was noise on every answer."""
        return round(value, 4)
