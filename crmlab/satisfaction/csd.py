"""Customer satisfaction degree (顾客满意度, CSD) and the expectation–performance reading.

The course's indicator system (测评指标体系) has four levels; level 2 holds the six indicators
顾客期望, 顾客对服务感知, 顾客对价值感知, 顾客满意情况, 顾客抱怨, 顾客忠诚. The degree is a weighted
sum over the indicators:

    CSD = Σ_i E_i · P_i,   Σ_i E_i = 1

where E_i is the weight of indicator i (from expert judgement or ``crmlab.value.ahp``) and P_i its
score (e.g. the mean answer, or the answer rescaled to 0–100). The course material leaves E_i and
P_i undefined; "weight × score" is the standard reading and the one used here. Units: those of P.

Expectation–performance model (期望-实绩模型, Kotler): performance below expectation → 不满意
(dissatisfied), about equal → 满意 (satisfied), above → 非常满意 (delighted).

>>> csd({"quality": 80, "service": 60}, {"quality": 0.75, "service": 0.25})
75.0
>>> satisfaction_level(expectation=[7, 7, 7], performance=[5, 7.2, 9]).tolist()
['dissatisfied', 'satisfied', 'delighted']
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from crmlab.errors import DataError

LEVELS = {"dissatisfied": "不满意", "satisfied": "满意", "delighted": "非常满意"}


def _weights(weights, names) -> pd.Series:
    w = pd.Series(weights, dtype=float) if isinstance(weights, Mapping) else pd.Series(list(weights), index=names, dtype=float)
    missing = [n for n in names if n not in w.index]
    if missing:
        raise DataError(str(missing[0]), "indicator has a score but no weight")
    extra = [n for n in w.index if n not in names]
    if extra:
        raise DataError(str(extra[0]), "indicator has a weight but no score")
    if w.isna().any() or (w < 0).any():
        bad = w[w.isna() | (w < 0)].index[0]
        raise DataError(str(bad), f"weight must be a non-negative number, got {w[bad]}")
    if w.sum() <= 0:
        raise DataError("weights", "weights are all zero")
    return w.loc[list(names)] / w.sum()


def csd(scores, weights) -> float | pd.Series:
    """Satisfaction degree CSD = Σ E_i·P_i (weights normalised to sum to 1).

    ``scores``: a mapping / Series indicator → score (returns a number) or a DataFrame with one
    column per indicator (returns one CSD per row). ``weights``: mapping indicator → weight, or a
    sequence in the order of the score columns.

    >>> import pandas as pd
    >>> csd(pd.DataFrame({"a": [1.0, 5.0], "b": [3.0, 5.0]}), [1, 1]).tolist()
    [2.0, 5.0]
    """
    if isinstance(scores, pd.DataFrame):
        names = list(scores.columns)
        w = _weights(weights, names)
        vals = scores.apply(pd.to_numeric, errors="coerce")
        if vals.isna().any().any():
            bad = vals.columns[vals.isna().any()][0]
            raise DataError(str(bad), "missing or non-numeric score")
        return pd.Series(vals.to_numpy(float) @ w.to_numpy(), index=scores.index, name="csd")
    s = pd.Series(scores, dtype=float)
    w = _weights(weights, list(s.index))
    if s.isna().any():
        raise DataError(str(s.index[s.isna()][0]), "missing score")
    return float(s.to_numpy() @ w.to_numpy())


def satisfaction_level(expectation, performance, tolerance: float = 0.5, lang: str = "en") -> pd.Series:
    """Expectation–performance reading per case: P < E − tol → dissatisfied (不满意),
    |P − E| ≤ tol → satisfied (满意), P > E + tol → delighted (非常满意).

    ``tolerance`` is in the units of the scale (half a scale point by default).
    """
    e = pd.Series(np.asarray(expectation, float))
    p = pd.Series(np.asarray(performance, float))
    if len(e) != len(p):
        raise DataError("performance", f"{len(p)} performance values for {len(e)} expectations")
    if e.isna().any() or p.isna().any():
        raise DataError("expectation" if e.isna().any() else "performance", "missing value")
    if tolerance < 0:
        raise DataError("tolerance", "must be non-negative")
    d = p - e
    lab = np.where(d < -tolerance, "dissatisfied", np.where(d > tolerance, "delighted", "satisfied"))
    out = pd.Series(lab, name="level")
    return out.map(LEVELS) if lang == "zh" else out
