"""Customer lifecycle stages (客户生命周期) from transaction patterns.

Two models, named by source: seed 002's four stages 考察期 (exploration), 形成期 (formation),
稳定期 (stability), 退化期 (decline); seed 000's five stages 潜在获取期, 成长期, 成熟期, 衰退期,
终止期 (termination). crmlab uses the codes exploration / formation / stability / decline /
termination; the four-stage model folds termination into decline.

Rule (at the observation date ``at``; weeks):

1. no purchase yet, or first purchase less than ``explore_weeks`` (13) ago → exploration;
2. silent for more than ``terminate_weeks`` (26) *and* more than ``gap_factor`` (3) times the
   customer's usual gap between purchases → termination;
3. silent for more than ``decline_factor`` (2) times the usual gap (and at least
   ``min_silence_weeks``, 8) → decline;
4. first purchase less than ``form_weeks`` (52) ago → formation; else stability.

The usual gap is recency / frequency (weeks per repeat purchase); one-time buyers get the
population's median gap. Stages are a judgement on observed behaviour: compare them with the
simulator's planted stage with :func:`stage_agreement`.

>>> import pandas as pd
>>> s = pd.DataFrame({"frequency": [0, 5, 5, 5, 3], "recency": [0., 50., 50., 50., 10.],
...                   "T": [5., 52., 75., 180., 14.]}, index=[1, 2, 3, 4, 5])
>>> lifecycle_stage(s).tolist()
['exploration', 'stability', 'decline', 'termination', 'formation']
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError
from crmlab.value import _validate as v

__all__ = ["lifecycle_stage", "stage_agreement", "STAGES", "purchase_pattern"]

STAGES = {"exploration": ("考察期", "潜在获取期"), "formation": ("形成期", "成长期"),
          "stability": ("稳定期", "成熟期"), "decline": ("退化期", "衰退期"), "termination": ("退化期", "终止期")}
ORDER = ["exploration", "formation", "stability", "decline", "termination"]


def lifecycle_stage(summary: pd.DataFrame, *, model: str = "five", explore_weeks: float = 13,
                    form_weeks: float = 52, terminate_weeks: float = 26, gap_factor: float = 3,
                    decline_factor: float = 2, min_silence_weeks: float = 8,
                    frequency="frequency", recency="recency", T="T") -> pd.Series:
    """Stage code per customer from (frequency, recency, T) in weeks (:func:`summary_data_from_orders`).

    ``model="five"`` (seed 000) or ``"four"`` (seed 002: termination → decline). Customers without
    any purchase may be given with T = 0 (they are in exploration).
    """
    if model not in ("four", "five"):
        raise DataError("model", f"must be 'four' or 'five', got {model!r}")
    v.frame(summary, [frequency, recency, T], name="summary")
    x = v.numeric(summary, frequency, nonneg=True)
    tx = v.numeric(summary, recency, nonneg=True)
    TT = v.numeric(summary, T, nonneg=True)
    silence = TT - tx
    gaps = np.where(x > 0, tx / np.maximum(x, 1), np.nan)
    median_gap = float(np.nanmedian(gaps)) if np.isfinite(gaps).any() else form_weeks
    gap = np.where(x > 0, gaps, median_gap)
    stage = np.select(
        [TT < explore_weeks,
         (silence > terminate_weeks) & (silence > gap_factor * gap),
         (silence > min_silence_weeks) & (silence > decline_factor * gap),
         TT < form_weeks],
        ["exploration", "termination", "decline", "formation"], "stability").astype(object)
    if model == "four":
        stage[stage == "termination"] = "decline"
    return pd.Series(stage, index=summary.index, name="stage")


def stage_agreement(predicted: pd.Series, truth: pd.Series) -> dict:
    """Agreement of two stage labelings on their common customers: share equal and the crosstab."""
    both = pd.concat([predicted.rename("predicted"), truth.rename("truth")], axis=1, join="inner")
    if both.empty:
        raise DataError("customer_id", "no customer is in both labelings")
    cats = [c for c in ORDER if c in set(both["predicted"]) | set(both["truth"])]
    tab = pd.crosstab(pd.Categorical(both["truth"], cats), pd.Categorical(both["predicted"], cats),
                      rownames=["truth"], colnames=["predicted"], dropna=False)
    return {"agreement": float((both["predicted"] == both["truth"]).mean()), "crosstab": tab,
            "n_customers": len(both)}


def purchase_pattern(orders: pd.DataFrame, customer_id, *, freq: str = "QS", customer="customer_id",
                     time="ordered_at", amount="amount") -> pd.DataFrame:
    """One customer's purchases and spend per period (quarter by default): the lifecycle picture."""
    v.frame(orders, [customer, time, amount], name="orders")
    o = orders[orders[customer] == customer_id]
    if o.empty:
        raise DataError(customer, f"customer {customer_id!r} has no orders")
    t = v.times(o, time)
    g = pd.DataFrame({"t": t, "amount": v.numeric(o, amount, money=True)}).groupby(pd.Grouper(key="t", freq=freq))
    return pd.DataFrame({"purchases": g.size(), "spend": g["amount"].sum()})
