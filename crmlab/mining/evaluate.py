"""How good is a score? ROC AUC, lift and gain by decile, and the confusion matrix at a threshold.

* ROC AUC (曲线下面积): the chance that a random positive scores above a random negative (ties ½).
* Decile lift (提升度): rank by score, cut into 10 equal groups; lift of a decile = its positive
  rate ÷ the overall rate. Cumulative gain (累积增益): share of all positives caught in the top k deciles.
* Confusion matrix (混淆矩阵) at threshold t: predict positive when score ≥ t.

>>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
0.75
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError

__all__ = ["roc_auc", "decile_table", "confusion", "check_binary"]


def check_binary(y, name: str = "target") -> np.ndarray:
    """``y`` as a 0/1 int array; DataError unless it holds both classes."""
    y = np.asarray(y)
    if y.size == 0:
        raise DataError(name, "no rows: there is nothing to learn from or score")
    if pd.isna(y).any():
        raise DataError(name, "has missing values; every customer needs a 0/1 outcome")
    vals = set(np.unique(y).tolist())
    if not vals <= {0, 1, True, False}:
        raise DataError(name, f"must be 0/1, got values {sorted(vals)[:5]}")
    y = y.astype(int)
    if len(set(y.tolist())) < 2:
        raise DataError(name, f"has a single class (all {int(y[0])}): a model needs both 0s and 1s")
    return y


def roc_auc(y, score) -> float:
    """Area under the ROC curve via the rank (Mann–Whitney) formula; 0.5 = no better than chance."""
    from scipy.stats import rankdata

    y = check_binary(y)
    r = rankdata(np.asarray(score, dtype=float))
    n1 = y.sum()
    n0 = len(y) - n1
    return float((r[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def decile_table(y, score, n_bins: int = 10) -> pd.DataFrame:
    """Lift and cumulative gain by score decile (decile 1 = highest scores).

    Columns: decile, n, positives, rate, lift, cum_positives, cum_gain (share of all positives),
    cum_lift. Ties are broken by position so the groups have equal size (±1).

    >>> t = decile_table([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], n_bins=2)
    >>> t[["decile", "positives", "lift", "cum_gain"]].to_numpy().tolist()
    [[1.0, 1.0, 1.0, 0.5], [2.0, 1.0, 1.0, 1.0]]
    """
    y = check_binary(y)
    score = np.asarray(score, dtype=float)
    order = np.argsort(-score, kind="stable")
    groups = np.empty(len(y), dtype=int)
    groups[order] = np.arange(len(y)) * n_bins // len(y) + 1
    df = pd.DataFrame({"decile": groups, "y": y})
    t = df.groupby("decile")["y"].agg(n="size", positives="sum").reset_index()
    base = y.mean()
    t["rate"] = t["positives"] / t["n"]
    t["lift"] = t["rate"] / base
    t["cum_positives"] = t["positives"].cumsum()
    t["cum_gain"] = t["cum_positives"] / y.sum()
    t["cum_lift"] = (t["cum_positives"] / t["n"].cumsum()) / base
    return t.astype(float)


def confusion(y, score, threshold: float = 0.5) -> pd.DataFrame:
    """2×2 confusion matrix (rows actual 0/1, columns predicted 0/1) at ``score ≥ threshold``.

    >>> confusion([0, 1, 1, 0], [0.2, 0.7, 0.4, 0.6]).to_numpy().tolist()
    [[1, 1], [1, 1]]
    """
    y = check_binary(y)
    pred = (np.asarray(score, dtype=float) >= threshold).astype(int)
    m = np.zeros((2, 2), dtype=int)
    np.add.at(m, (y, pred), 1)
    return pd.DataFrame(m, index=pd.Index([0, 1], name="actual"), columns=pd.Index([0, 1], name="predicted"))
