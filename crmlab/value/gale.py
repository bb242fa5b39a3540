"""Gale's customer value (盖尔顾客价值): relative quality and relative price against a competitor.

For each attribute with weight w (weights normalised within quality and within price):

* relative quality score = own score ÷ competitor score (本企业得分 ÷ 竞争者得分);
* relative price score = competitor ÷ own (顾客对竞争企业的满意程度 ÷ 对本企业的满意程度) —
  mind the direction;
* MV_A = Σ w·quality score, CP_A = Σ w·price score, CV = p·MV_A + (1 − p)·CP_A.
Scores above 1 mean "better than the competitor".

>>> import pandas as pd
>>> a = pd.DataFrame({"attribute": ["durability", "service", "price level"],
...                   "kind": ["quality", "quality", "price"], "weight": [0.6, 0.4, 1.0],
...                   "own": [8.0, 6.0, 6.0], "competitor": [6.0, 6.0, 7.5]})
>>> r = gale_value(a, p=0.6)
>>> round(r["MV"], 4), round(r["CP"], 4), round(r["CV"], 4)
(1.2, 1.25, 1.22)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError
from crmlab.value import _validate as v

__all__ = ["gale_value", "value_map_quadrant"]


def gale_value(attributes: pd.DataFrame, *, p: float = 0.5, kind: str = "kind", weight: str = "weight",
               own: str = "own", competitor: str = "competitor") -> dict:
    """Relative scores per attribute and MV (quality), CP (price), CV; ``p`` is the weight of quality.

    Returns {"table": DataFrame, "MV": float, "CP": float, "CV": float, "quadrant": str}.
    """
    v.frame(attributes, [kind, weight, own, competitor], name="attributes")
    p = v.probability(p, "p")
    w = v.numeric(attributes, weight, nonneg=True)
    o = v.numeric(attributes, own, nonneg=True)
    c = v.numeric(attributes, competitor, nonneg=True)
    k = attributes[kind].astype(str).to_numpy()
    bad = ~np.isin(k, ["quality", "price"])
    if bad.any():
        raise DataError(kind, f"must be 'quality' or 'price', got {k[bad][0]!r}")
    q, pr = k == "quality", k == "price"
    if (q & (c <= 0)).any() or (pr & (o <= 0)).any():
        raise DataError(competitor if (q & (c <= 0)).any() else own, "a divisor score must be positive")
    rel = np.where(q, o / np.where(c > 0, c, 1), c / np.where(o > 0, o, 1))
    tab = attributes.copy()
    tab["relative_score"] = rel
    tab["norm_weight"] = 0.0
    for mask, name in ((q, "quality"), (pr, "price")):
        if not mask.any():
            raise DataError(kind, f"needs at least one {name} attribute")
        if w[mask].sum() <= 0:
            raise DataError(weight, f"the {name} weights add up to zero")
        tab.loc[mask, "norm_weight"] = w[mask] / w[mask].sum()
    tab["weighted"] = tab["norm_weight"] * tab["relative_score"]
    mv = float(tab.loc[q, "weighted"].sum())
    cp = float(tab.loc[pr, "weighted"].sum())
    cv = p * mv + (1 - p) * cp
    return {"table": tab, "MV": mv, "CP": cp, "CV": cv, "quadrant": value_map_quadrant(mv, cp)}


def value_map_quadrant(mv: float, cp: float) -> str:
    """Place on the customer value map (relative quality × relative price score, cut at 1)."""
    if mv >= 1 and cp >= 1:
        return "superior value (质优价廉)"
    if mv >= 1:
        return "premium (质优价高)"
    if cp >= 1:
        return "economy (质次价廉)"
    return "inferior value (质次价高)"
