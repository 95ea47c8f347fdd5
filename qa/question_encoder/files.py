"""Where the question encoder's weights and card are (read without torch)."""

from __future__ import annotations

from pathlib import Path

from qa.reader.card import WeightFiles

FILES = WeightFiles("question_encoder.safetensors", "question_encoder.json")


def bundled_weights_dir() -> Path:
    return Path(__file__).parent / "weights"
