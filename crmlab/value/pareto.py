"""Pareto analysis (帕累托分析, 二八法则): how concentrated is value across customers?

Customers are ranked by value (descending; ties by customer id). The cumulative share curve
pairs "the top k customers" (k/N of the customers) with the share of value they bring.
Seed 001 scenario: 100 customers, 18 of them ordered 8,000 万元 = 80 % of 10,000 万元.

>>> import pandas as pd
>>> d = pd.DataFrame({"customer_id": range(100), "amount": [8000/18]*18 + [2000/82]*82})
>>> customers_for_share(d, 0.80, value="amount")
0.18
>>> round(top_share(d, 0.18, value="amount"), 6)
0.8
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError
from crmlab.value._agg import per_customer

__all__ = ["pareto", "top_share", "customers_for_share"]

_EPS = 1e-9   # shares are sums of floats: 0.8 may come out as 0.79999999999


def pareto(data: pd.DataFrame, *, value: str = "amount", customer: str | None = "customer_id") -> pd.DataFrame:
    """The cumulative share curve: one row per customer, ranked by value.

    Columns: rank, value, share (of total value), customer_share (= rank/N) and value_share
    (cumulative share of value of the top ``rank`` customers). Units: shares in [0, 1].
    """
    s = per_customer(data, value, customer)
    total = s.sum()
    if total <= 0:
        raise DataError(value, "the total is zero: there is no value to share out")
    n = len(s)
    out = pd.DataFrame({"rank": np.arange(1, n + 1), "value": s.to_numpy(), "share": s.to_numpy() / total},
                       index=s.index)
    out["customer_share"] = out["rank"] / n
    out["value_share"] = np.cumsum(out["value"].to_numpy()) / total
    return out


def top_share(data: pd.DataFrame, top: float = 0.2, *, value: str = "amount",
              customer: str | None = "customer_id") -> float:
    """Share of total value brought by the top ``top`` fraction of customers (k = round(top·N)).

    >>> import pandas as pd
    >>> top_share(pd.DataFrame({"customer_id": [1, 2, 3, 4], "amount": [70., 10., 10., 10.]}), 0.25)
    0.7
    """
    if not 0 < top <= 1:
        raise DataError("top", f"must be a share in (0, 1], got {top!r}")
    curve = pareto(data, value=value, customer=customer)
    k = max(1, int(np.floor(top * len(curve) + 0.5)))
    return float(curve["value_share"].iloc[k - 1])


def customers_for_share(data: pd.DataFrame, share: float = 0.8, *, value: str = "amount",
                        customer: str | None = "customer_id") -> float:
    """The smallest fraction of customers (top-ranked) whose value reaches ``share`` of the total."""
    if not 0 < share <= 1:
        raise DataError("share", f"must be a share in (0, 1], got {share!r}")
    curve = pareto(data, value=value, customer=customer)
    k = int(np.argmax(curve["value_share"].to_numpy() >= share - _EPS)) + 1
    return k / len(curve)
