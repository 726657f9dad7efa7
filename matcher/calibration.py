"""Calibrated confidence of a link: P(an expert would tag it), from the mapper's score.

Fitted per embedding model by ``benchmarks/calibrate.py`` on validation data and shipped in
``matcher/resources/calibration.json``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Calibration:
    """Logistic model: P(expert would tag) from score, gap to the best, 1/rank and lexical hit."""

    coef: tuple[float, float, float, float]
    intercept: float
    fitted_on: str = ""

    def __call__(self, score: float, gap: float, rank: int, lexical: bool) -> float:
        z = self.intercept + float(
            np.dot(self.coef, (score, gap, 1.0 / rank, float(lexical)))
        )
        return 1.0 / (1.0 + math.exp(-z))


# Used for embedders that no calibration was fitted for: a monotone guess, flagged as such.
UNCALIBRATED = Calibration((0.0, 25.0, 1.5, 1.0), -1.5, fitted_on="uncalibrated default")


def load_calibration(model_id: str) -> Calibration:
    """The confidence model fitted for ``model_id`` (matcher/resources/calibration.json)."""
    text = resources.files("matcher").joinpath("resources/calibration.json").read_text()
    fitted: dict[str, Any] = json.loads(text)
    entry = fitted.get(model_id)
    if entry is None:
        return UNCALIBRATED
    return Calibration(tuple(entry["coef"]), entry["intercept"], entry.get("fitted_on", ""))
