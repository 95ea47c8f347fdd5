"""A training run's checkpoint in its work folder: the trained parameters, the optimizer and
scheduler, where the run was and its curve, replaced atomically."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import torch

CHECKPOINT = "checkpoint.pt"


def save_checkpoint(
    work: Path,
    model: torch.nn.Module,
    frozen: Collection[str],
    optimizer: Any,
    scheduler: Any,
    curve: list[Any],
    **position: int,
) -> None:
    """The parameters not in `frozen`, the optimizer's and scheduler's states, the curve and
    `position` (the step, the phase) written to `work`."""
    trainable = {k: v for k, v in model.state_dict().items() if k not in frozen}
    temporary = work / (CHECKPOINT + ".tmp")
    state = {
        **position,
        "model": trainable,
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "curve": curve,
    }
    torch.save(state, temporary)
    temporary.replace(work / CHECKPOINT)


def load_checkpoint(work: Path, model: torch.nn.Module) -> dict[str, Any] | None:
    """The last checkpoint of `work` (its parameters loaded into `model`), or None."""
    path = work / CHECKPOINT
    if not path.exists():
        return None
    state: dict[str, Any] = torch.load(path, weights_only=False)
    model.load_state_dict(state["model"], strict=False)
    return state
