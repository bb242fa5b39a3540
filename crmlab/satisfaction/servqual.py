"""SERVQUAL service-quality gaps (服务质量测量量表): Q = P − E per item and per dimension.

Each item is asked twice: what the customer expects of an excellent shop (E, 期望) and what they
experienced here (P, 感知). The gap Q = P − E (in scale points; negative = service falls short)
is averaged over respondents per item, then over the items of each dimension:

    Q_d = mean over items in d of (mean P_item − mean E_item),
    unweighted Q = mean_d Q_d,   weighted Q = Σ_d w_d · Q_d  (Σ w_d = 1)

Dimensions: tangibles 可感知性, reliability 可靠性, responsiveness 反应性, assurance 保证性,
empathy 移情性 (Parasuraman, Zeithaml & Berry 1988). Weights are the importance customers give
each dimension (e.g. by allocating 100 points, or from ``crmlab.value.ahp``).

Input: a long table with one row per answer and columns ``response_id``, ``item``, ``dimension``
(``construct`` is accepted too), ``facet`` (``expectation`` / ``perception``) and ``value``.

>>> import pandas as pd
>>> d = pd.DataFrame({"response_id": [1, 1, 2, 2], "item": ["rel1"] * 4, "dimension": ["reliability"] * 4,
...                   "facet": ["expectation", "perception"] * 2, "value": [7, 5, 6, 5]})
>>> servqual_gaps(d)[["dimension", "E", "P", "gap"]].to_dict("records")
[{'dimension': 'reliability', 'E': 6.5, 'P': 5.0, 'gap': -1.5}]
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from crmlab.errors import DataError

DIMENSIONS = {"tangibles": "可感知性", "reliability": "可靠性", "responsiveness": "反应性",
              "assurance": "保证性", "empathy": "移情性"}
FACETS = ("expectation", "perception")


def _item_means(data: pd.DataFrame, scale) -> pd.DataFrame:
    """Mean answer and count per item code (``rel1_e`` …), with its base item, dimension and facet.

    Works on integer codes (factorize + bincount), so a million answers take a fraction of a
    second; an item's dimension is read from its first row (it is an attribute of the item).
    """
    if "dimension" not in data.columns and "construct" in data.columns:
        data = data.rename(columns={"construct": "dimension"})
    for col in ("item", "dimension", "facet", "value"):
        if col not in data.columns:
            raise DataError(col, "column missing from the SERVQUAL answers")
    fcodes, funiq = pd.factorize(data["facet"])
    bad_f = [f for f in funiq if f not in FACETS]
    if bad_f:
        row = data["facet"] == bad_f[0]
        raise DataError(str(data["item"][row].iloc[0]), f"facet {bad_f[0]!r} is not expectation/perception")
    v = data["value"]
    if not pd.api.types.is_numeric_dtype(v):
        v = pd.to_numeric(v, errors="coerce")
    if v.isna().any():
        raise DataError(str(data["item"][v.isna()].iloc[0]), "missing or non-numeric answer")
    lo, hi = scale
    out = (v < lo) | (v > hi)
    if out.any():
        raise DataError(str(data["item"][out].iloc[0]), f"answer {v[out].iloc[0]:g} outside the scale {lo}-{hi}")
    icodes, iuniq = pd.factorize(data["item"])
    k = len(iuniq)
    key = icodes * 2 + fcodes                       # item code × facet
    sums = np.bincount(key, weights=v.to_numpy(float), minlength=2 * k)
    counts = np.bincount(key, minlength=2 * k)
    _, first = np.unique(icodes, return_index=True)
    rows = pd.DataFrame({"code": np.repeat(np.asarray(iuniq, dtype=object).astype(str), 2),
                         "facet": np.tile(np.asarray(funiq.tolist() + [None] * (2 - len(funiq)), dtype=object), k),
                         "sum": sums, "n": counts})
    rows = rows[rows["n"] > 0]
    rows["dimension"] = np.repeat(data["dimension"].to_numpy()[first].astype(str), 2)[rows.index]
    # the item's base code: 'rel1_e' / 'rel1_p' both belong to item 'rel1'
    rows["item"] = rows["code"].str.replace(r"_[ep]$", "", regex=True)
    rows["mean"] = rows["sum"] / rows["n"]
    return rows[["dimension", "item", "facet", "mean", "n"]]


def servqual_item_gaps(data: pd.DataFrame, scale: tuple[int, int] = (1, 7)) -> pd.DataFrame:
    """Per item: dimension, E (mean expectation), P (mean perception), gap = P − E, n answers."""
    m = _item_means(data, scale)
    g = m.groupby(["dimension", "item", "facet"], sort=True)[["mean", "n"]].sum().unstack("facet")
    g = g.reindex(columns=pd.MultiIndex.from_product([["mean", "n"], list(FACETS)]))
    if g.isna().any().any():
        idx = g.index[g.isna().any(axis=1)][0]
        have = [f for f in FACETS if not np.isnan(g.loc[idx, ("mean", f)])]
        raise DataError(idx[1], f"item has only {have[0] if have else 'no'} answers (needs expectation and perception)")
    out = pd.DataFrame({"E": g[("mean", "expectation")], "P": g[("mean", "perception")],
                        "n": g[("n", "perception")].astype(int)}).reset_index()
    out["gap"] = out["P"] - out["E"]
    return out[["dimension", "item", "E", "P", "gap", "n"]]


def servqual_gaps(data: pd.DataFrame, weights: Mapping[str, float] | None = None,
                  scale: tuple[int, int] = (1, 7)) -> pd.DataFrame:
    """Per dimension: E, P, gap (mean of its item gaps), weight, weighted gap, Chinese name.

    Without ``weights`` every dimension gets 1/k. The overall scores are
    ``servqual_score(...)``.
    """
    items = servqual_item_gaps(data, scale)
    dims = items.groupby("dimension", sort=False)[["E", "P", "gap"]].mean()
    dims = dims.loc[sorted(dims.index, key=lambda d: list(DIMENSIONS).index(d) if d in DIMENSIONS else 99)]
    if weights is None:
        w = pd.Series(1.0 / len(dims), index=dims.index)
    else:
        w = pd.Series(weights, dtype=float)
        missing = [d for d in dims.index if d not in w.index]
        if missing:
            raise DataError(missing[0], "dimension has no weight")
        if (w < 0).any() or w.sum() <= 0:
            raise DataError("weights", "weights must be non-negative and not all zero")
        w = w.loc[dims.index] / w.loc[dims.index].sum()
    out = dims.reset_index()
    out.insert(1, "dimension_zh", out["dimension"].map(DIMENSIONS))
    out["weight"] = w.to_numpy()
    out["weighted_gap"] = out["weight"] * out["gap"]
    return out


def servqual_score(data: pd.DataFrame, weights: Mapping[str, float] | None = None,
                   scale: tuple[int, int] = (1, 7)) -> dict:
    """Overall service quality: ``{"unweighted": mean_d Q_d, "weighted": Σ w_d Q_d}``."""
    g = servqual_gaps(data, weights, scale)
    unweighted = float(g["gap"].mean())
    weighted = float(g["weighted_gap"].sum()) if weights is not None else unweighted
    return {"unweighted": unweighted, "weighted": weighted}


def item_weights_by_dimension(items: pd.DataFrame) -> dict:
    """Dimension weights from a ``survey_items`` frame whose ``weight`` is per item (summed per dimension)."""
    w = items.drop_duplicates("code").assign(base=lambda t: t["code"].str.replace(r"_[ep]$", "", regex=True))
    w = w.drop_duplicates("base").groupby("construct")["weight"].sum()
    return (w / w.sum()).to_dict()
