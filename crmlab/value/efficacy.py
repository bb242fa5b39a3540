"""Normalisation (无量纲化) and weighted composite scores for customer value evaluation.

Efficacy coefficient method (功效系数法): for a "larger is better" indicator with satisfactory
value x_h (满意值) and unacceptable value x_s (不允许值),

    d = base + span × (x − x_s)/(x_h − x_s)        (default base 60, span 40 → scores 60..100)

and for "smaller is better" the roles swap (d = base + span × (x_s − x)/(x_s − x_h)). By default
x_h and x_s are the best and worst observed values. Index-value conversion (指数值转化):
x / standard × 100. The composite score (综合加权) is Σ_k w_k d_k with weights summing to 1,
e.g. from :func:`crmlab.value.ahp.ahp`.

>>> import pandas as pd
>>> d = pd.DataFrame({"profit": [10., 20., 30.], "days_late": [0., 30., 60.]})
>>> efficacy_scores(d, directions={"profit": 1, "days_late": -1}).values.tolist()
[[60.0, 100.0], [80.0, 80.0], [100.0, 60.0]]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError
from crmlab.value import _validate as v

__all__ = ["efficacy_scores", "index_values", "composite_score"]


def efficacy_scores(data: pd.DataFrame, *, directions: dict, satisfactory: dict | None = None,
                    unacceptable: dict | None = None, base: float = 60.0, span: float = 40.0,
                    clip: bool = True) -> pd.DataFrame:
    """功效系数 per indicator column; ``directions`` maps column → +1 (larger better) or −1."""
    v.frame(data, list(directions), name="data")
    satisfactory, unacceptable = satisfactory or {}, unacceptable or {}
    out = {}
    for col, d in directions.items():
        if d not in (1, -1):
            raise DataError(col, f"direction must be +1 or -1, got {d!r}")
        x = v.numeric(data, col)
        best = satisfactory.get(col, x.max() if d == 1 else x.min())
        worst = unacceptable.get(col, x.min() if d == 1 else x.max())
        if best == worst:
            raise DataError(col, "the satisfactory and unacceptable values coincide (no spread)")
        s = base + span * (x - worst) / (best - worst)
        out[col] = np.clip(s, base, base + span) if clip else s
    return pd.DataFrame(out, index=data.index)


def index_values(data: pd.DataFrame, standards: dict) -> pd.DataFrame:
    """指数值转化: x / standard × 100 per column (standard = a reference value, e.g. the average)."""
    v.frame(data, list(standards), name="data")
    out = {}
    for col, s in standards.items():
        if float(s) == 0:
            raise DataError(col, "the standard value must not be zero")
        out[col] = v.numeric(data, col) / float(s) * 100
    return pd.DataFrame(out, index=data.index)


def composite_score(scores: pd.DataFrame, weights) -> pd.Series:
    """Σ_k w_k × score_k per row; weights (dict or Series keyed by column) must sum to 1."""
    w = pd.Series(weights, dtype=float)
    v.frame(scores, list(w.index), name="scores")
    if (w < 0).any() or abs(w.sum() - 1) > 1e-6:
        raise DataError("weights", f"must be non-negative and sum to 1, got sum {w.sum():g}")
    vals = np.column_stack([v.numeric(scores, c) for c in w.index])
    return pd.Series(vals @ w.to_numpy(), index=scores.index, name="composite_score")
