"""The question encoder's network: e5 with its last layer averaged over each row's tokens."""

from __future__ import annotations

import torch
from transformers import BertModel


class MeanPooled(torch.nn.Module):
    """The mean of e5's last layer over the tokens of each row (the special tokens
    included), not normalised."""

    def __init__(self, bert: BertModel) -> None:
        super().__init__()
        self.bert = bert

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        means: torch.Tensor = (hidden * mask).sum(1) / mask.sum(1)
        return means
