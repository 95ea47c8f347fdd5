"""Abstention thresholds and answer margins, calibrated on data by bench/calibrate.py.

`calibration.json` records, for each scorer, the evidence score below which citeqa
abstains, how it was fitted (data, target, resulting rates) and when. Refit it with
`python bench/calibrate.py` after changing the models or the scoring; override one
threshold at run time with CITEQA_ABSTAIN_THRESHOLD (applies to the cross-encoder).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

CROSS_ENCODER = "cross_encoder"
COSINE = "cosine"
COSINE_MULTILINGUAL = "cosine_multilingual"
SCORERS = (CROSS_ENCODER, COSINE, COSINE_MULTILINGUAL)


@dataclass(frozen=True)
class Calibration:
    abstain_below: dict[str, float]
    abstain_below_unseen: dict[str, float]
    margins: dict[str, float]
    provenance: dict[str, Any]

    @classmethod
    def load(cls) -> Calibration:
        text = resources.files("qa").joinpath("calibration.json").read_text("utf-8")
        data = json.loads(text)
        scorers = data["scorers"]
        missing = [s for s in SCORERS if s not in scorers]
        if missing:
            raise ValueError(f"calibration.json lacks scorers {missing}")
        return cls(
            abstain_below={s: float(scorers[s]["abstain_below"]) for s in SCORERS},
            abstain_below_unseen={
                s: float(scorers[s].get("abstain_below_unseen", scorers[s]["abstain_below"]))
                for s in SCORERS
            },
            margins={s: float(scorers[s]["margin"]) for s in SCORERS},
            provenance={s: scorers[s].get("fitted", {}) for s in SCORERS},
        )

    def with_threshold(self, scorer: str, value: float | None) -> Calibration:
        if value is None:
            return self
        return Calibration(
            {**self.abstain_below, scorer: value},
            {**self.abstain_below_unseen, scorer: max(value, self.abstain_below_unseen[scorer])},
            self.margins,
            self.provenance,
        )
