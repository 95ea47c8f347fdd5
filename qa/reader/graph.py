"""The reader run by onnxruntime from an ONNX export kept in the model cache.

A cold process then reads questions without importing torch and transformers (about 8 s of
a cold `citeqa ask` on 2 cores) and without dequantising the base weights (about 3 s). The
graph is exported once from the torch reader (`qa.reader.weights`), checked
against it on probe pairs, and kept in the model cache (index.runtime.model_cache) under a
key over the reader's checksum, the base file and the versions of the libraries that made
it. Should the export fail or disagree, the torch reader is used.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from index.e5.model_file import E5ModelFile
from index.runtime.model_cache import cache_key, cached_export, cached_file, library_versions
from index.runtime.onnx_session import cpu_session
from index.runtime.precision import Resolved, padded_width
from qa.reader.card import ReaderCard, bundled_weights_dir, verified_card

if TYPE_CHECKING:
    import torch

    from qa.reader.network import ReaderNet

OPSET = 17
# Largest difference of any logit between the two runtimes for the export to be used.
AGREEMENT = 1e-3
EXPORT_LIBRARIES = ("torch", "transformers", "onnxruntime")

IdArray = npt.NDArray[np.int64]
Logits = tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32]]
ReaderRun = Callable[[IdArray, IdArray], Logits]
"""(token ids, attention mask) of a padded batch -> relevance, start and end logits."""


def padded(sequences: list[list[int]], pad: int, multiple: int = 1) -> tuple[IdArray, IdArray]:
    """Padded ids and the attention mask of `sequences`, as wide as the longest rounded up
    to a multiple of `multiple` tokens."""
    width = padded_width(max(len(s) for s in sequences), multiple)
    ids = np.full((len(sequences), width), pad, dtype=np.int64)
    mask = np.zeros((len(sequences), width), dtype=np.int64)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = sequence
        mask[row, : len(sequence)] = 1
    return ids, mask


def load_reader_run(
    directory: Path | None, base: E5ModelFile, precision: Resolved = "float32"
) -> ReaderRun:
    """The reader of `directory` (default: the bundled weights) as a function over batches.
    In bfloat16, torch (onnxruntime's CPU kernels have no bfloat16 products); in float32 the
    cached ONNX export when there is one, else an export made now, else torch."""
    directory = directory or bundled_weights_dir()
    card = verified_card(directory, base)
    if precision == "bfloat16":
        from qa.reader.weights import verified_reader

        return _torch_run(verified_reader(card, directory, base).bfloat16())
    path = cached_file("onnx", "reader.onnx", f"citeqa-reader-{graph_key(card)}")

    @functools.cache
    def net() -> ReaderNet:
        from qa.reader.weights import verified_reader

        return verified_reader(card, directory, base)

    return cached_export(
        path,
        _onnx_run,
        lambda tmp: _export_checked(net(), tmp, base),
        lambda: _torch_run(net()),
        "the reader",
    )


def graph_key(card: ReaderCard, model: str = "reader") -> str:
    """The cache key of the export of `model`'s (verified) weights `card` describes."""
    return cache_key(
        {
            model: card.sha256,
            "base": card.base_sha256,
            "libraries": library_versions(EXPORT_LIBRARIES),
            "opset": OPSET,
        }
    )


def _onnx_run(path: Path) -> ReaderRun:
    session = cpu_session(str(path))

    def run(ids: IdArray, mask: IdArray) -> Logits:
        relevance, start, end = session.run(None, {"input_ids": ids, "attention_mask": mask})
        return (
            np.asarray(relevance, dtype=np.float32),
            np.asarray(start, dtype=np.float32),
            np.asarray(end, dtype=np.float32),
        )

    return run


def _torch_run(net: ReaderNet) -> ReaderRun:
    import torch

    from index.runtime.onednn import onednn_needed

    def run(ids: IdArray, mask: IdArray) -> Logits:
        # a refresh embedding with e5 in float32 must not turn oneDNN off meanwhile
        with onednn_needed(), torch.inference_mode():
            relevance, start, end = net(torch.from_numpy(ids), torch.from_numpy(mask))
        return relevance.float().numpy(), start.float().numpy(), end.float().numpy()

    return run


def probe_batch(base: E5ModelFile) -> tuple[IdArray, IdArray]:
    """Two pairs of different lengths, so padding and the mask are exercised."""
    vocabulary = base.vocabulary
    bos, eos = vocabulary.bos, vocabulary.eos
    short = [bos, 1000, 2000, eos, eos, 3000, 4000, eos]
    longer = [bos, *range(5000, 5012), eos, eos, *range(6000, 6030), eos]
    return padded([short, longer], vocabulary.pad)


def export_graph(
    model: torch.nn.Module,
    ids: IdArray,
    mask: IdArray,
    path: Path,
    outputs: dict[str, dict[int, str]],
) -> None:
    """`model(input_ids, attention_mask)` exported to `path` by torch's TorchScript exporter,
    traced on (`ids`, `mask`), the inputs' batch and token axes dynamic, and `outputs` the
    names and dynamic axes of what it returns, in order."""
    import torch

    axes = {name: {0: "batch", 1: "tokens"} for name in ("input_ids", "attention_mask")}
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notices
        torch.onnx.export(
            model,
            (torch.from_numpy(ids), torch.from_numpy(mask)),
            str(path),
            input_names=list(axes),
            output_names=list(outputs),
            dynamic_axes=axes | outputs,
            opset_version=OPSET,
            dynamo=False,
        )


def _export_checked(net: ReaderNet, path: Path, base: E5ModelFile) -> None:
    """Export `net` to `path`, then raise unless onnxruntime's logits are torch's."""
    ids, mask = probe_batch(base)
    per_token = {0: "batch", 1: "tokens"}
    outputs = {"relevance": {0: "batch"}, "start": per_token, "end": per_token}
    export_graph(net, ids, mask, path, outputs)
    exported = _onnx_run(path)(ids, mask)
    expected = _torch_run(net)(ids, mask)
    difference = max(float(np.abs(a - b).max()) for a, b in zip(exported, expected, strict=True))
    if difference > AGREEMENT:
        raise ValueError(f"onnxruntime and torch disagree by {difference:.1e}")
