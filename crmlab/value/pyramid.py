"""Customer pyramid (客户金字塔): grade customers by profit rank into levels of fixed count shares.

Four levels (seed 001), top to bottom by profit: 重要客户 key / platinum (铂金) 1 %, 次要客户
major / gold (黄金) next 19 %, 普通客户 ordinary next 30 %, 小客户 small bottom 50 %;
关键客户 = 重要 + 次要 (the top 20 %). The three-level variant: 关键客户 20 %, 普通客户 30 %,
小客户 50 %.

Rounding and tie rule (the seed gives none): customers are sorted by value descending, equal
values by customer id ascending; the cumulative cut after level j is round-half-up(c_j × N)
customers, where c_j is the cumulative share (1 %, 20 %, 50 %, 100 %). For N = 2,000 this gives
20 / 380 / 600 / 1,000.

>>> import pandas as pd
>>> d = pd.DataFrame({"customer_id": range(2000), "profit": range(2000)})
>>> pyramid_summary(pyramid(d, value="profit"))["n_customers"].tolist()
[20, 380, 600, 1000]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError
from crmlab.value._agg import per_customer

__all__ = ["pyramid", "pyramid_summary", "FOUR_LEVELS", "THREE_LEVELS", "cut_points"]

#: (code, English, Chinese, share of customers)
FOUR_LEVELS = (("key", "key (platinum)", "重要客户", 0.01), ("major", "major (gold)", "次要客户", 0.19),
               ("ordinary", "ordinary", "普通客户", 0.30), ("small", "small", "小客户", 0.50))
THREE_LEVELS = (("key", "key account", "关键客户", 0.20), ("ordinary", "ordinary", "普通客户", 0.30),
                ("small", "small", "小客户", 0.50))


def cut_points(n: int, shares) -> np.ndarray:
    """Cumulative customer counts at each level's lower edge: round-half-up of cumulative share × n."""
    cum = np.cumsum(shares)
    if abs(cum[-1] - 1) > 1e-9:
        raise DataError("levels", f"level shares must add up to 1, got {cum[-1]:g}")
    return np.floor(cum * n + 0.5 + 1e-9).astype(int)


def pyramid(data: pd.DataFrame, *, value: str = "profit", customer: str | None = "customer_id",
            levels=FOUR_LEVELS, allow_negative: bool = True) -> pd.DataFrame:
    """One row per customer: rank, value and level (code and Chinese name), ranked by ``value``.

    ``levels``: :data:`FOUR_LEVELS`, :data:`THREE_LEVELS` or your own (code, en, zh, share) tuples.
    Profit may be negative (a loss-making customer sits at the bottom).
    """
    s = per_customer(data, value, customer, allow_negative=allow_negative)
    n = len(s)
    cuts = cut_points(n, [lv[3] for lv in levels])
    idx = np.searchsorted(cuts, np.arange(n), side="right")
    # categoricals from codes: no per-customer strings
    level = pd.Categorical.from_codes(idx, categories=[lv[0] for lv in levels], ordered=True)
    zh = pd.Categorical.from_codes(idx, categories=[lv[2] for lv in levels])
    return pd.DataFrame({"rank": np.arange(1, n + 1), "value": s.to_numpy(), "level": level, "level_zh": zh},
                        index=s.index)


def pyramid_summary(graded: pd.DataFrame) -> pd.DataFrame:
    """Count pyramid vs profit pyramid: customers and value per level, and their shares."""
    g = graded.groupby("level", observed=False)
    zh = dict(zip(graded["level"].cat.categories, graded["level_zh"].cat.categories)) \
        if isinstance(graded["level_zh"].dtype, pd.CategoricalDtype) else {}
    out = pd.DataFrame({"n_customers": g.size(), "value": g["value"].sum()})
    out.insert(0, "level_zh", [zh.get(k, k) for k in out.index])
    out["customer_share"] = out["n_customers"] / out["n_customers"].sum()
    total = out["value"].sum()
    out["value_share"] = out["value"] / total if total else np.nan
    return out
