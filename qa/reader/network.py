"""The reader network: the e5 encoder with a relevance head and a span head."""

from __future__ import annotations

import torch
from transformers import BertModel

from qa.reader.graph import padded


class ReaderNet(torch.nn.Module):
    """Relevance logit from the first token; start and end logits for every token (the
    first token stands for "no answer here")."""

    def __init__(self, backbone: BertModel) -> None:
        super().__init__()
        hidden = backbone.config.hidden_size
        self.backbone = backbone
        self.relevance = torch.nn.Linear(hidden, 1)
        self.span = torch.nn.Linear(hidden, 2)
        for head in (self.relevance, self.span):
            torch.nn.init.normal_(head.weight, std=0.02)
            torch.nn.init.zeros_(head.bias)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        hidden = self.backbone(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        relevance = self.relevance(hidden[:, 0]).squeeze(-1)
        start, end = self.span(hidden).unbind(-1)
        masked = attention_mask == 0
        return relevance, start.masked_fill(masked, -1e4), end.masked_fill(masked, -1e4)


def batch_tensors(sequences: list[list[int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Padded ids and the attention mask of `sequences`, as tensors."""
    ids, mask = padded(sequences, pad)
    return torch.from_numpy(ids), torch.from_numpy(mask)
