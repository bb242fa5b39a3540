"""Behavioural features per customer (客户行为特征) computed from the orders up to a date.

The seed's three transaction facts (最近一次购买的时间、平均购买的频率、通常购买的金额) become:

* ``recency_days``   days from the last order to ``now`` (最近一次购买)
* ``frequency``      number of orders (购买频率)
* ``monetary``       mean order value in yuan (通常购买的金额)
* ``total_spend``    sum of order values in yuan
* ``tenure_days``    days from the first order to ``now``
* ``gap_ratio``      recency ÷ the customer's usual gap between orders (tenure / frequency);
                     > 1 means the customer is "overdue" (a churn signal)
* ``share_<cat>``    (optional) share of the customer's items in each product category

>>> import pandas as pd
>>> orders = pd.DataFrame({"customer_id": [1, 1, 2], "amount": [100.0, 300.0, 50.0],
...     "ordered_at": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-06"])})
>>> f = customer_features(orders, now="2024-01-21")
>>> f[["customer_id", "recency_days", "frequency", "monetary", "tenure_days"]].to_numpy().tolist()
[[1.0, 10.0, 2.0, 200.0, 20.0], [2.0, 15.0, 1.0, 50.0, 15.0]]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError

__all__ = ["customer_features", "category_shares", "BASE_FEATURES"]

BASE_FEATURES = ["recency_days", "frequency", "monetary", "total_spend", "tenure_days", "gap_ratio"]
_DAY = np.timedelta64(1, "D")


def _orders_before(orders: pd.DataFrame, now) -> tuple[pd.DataFrame, pd.Timestamp]:
    for col in ("customer_id", "ordered_at", "amount"):
        if col not in orders.columns:
            raise DataError(col, f"orders has no column {col!r}")
    if "status" in orders.columns:   # cancelled orders are not purchases
        orders = orders[orders["status"] != "cancelled"]
    at = pd.to_datetime(orders["ordered_at"])
    now = at.max() if now is None else pd.Timestamp(now)
    orders = orders.loc[at <= now]
    if len(orders) == 0:
        raise DataError("orders", f"no transactions on or before {now}: nothing to describe")
    return orders, now


def customer_features(orders: pd.DataFrame, now=None, *, customers=None) -> pd.DataFrame:
    """One row per customer with at least one order on or before ``now`` (default: the last order).

    ``customers`` (optional, with ``customer_id``) keeps only those customers (e.g. persons only);
    customers without orders have no behaviour and get no row. Units: days and yuan.
    """
    orders, now = _orders_before(orders, now)
    if customers is not None:
        orders = orders[orders["customer_id"].isin(customers["customer_id"])]
    t = pd.to_datetime(orders["ordered_at"])
    g = orders.assign(_t=t).groupby("customer_id")
    out = pd.DataFrame({
        "last": g["_t"].max(), "first": g["_t"].min(),
        "frequency": g.size().astype(float), "total_spend": g["amount"].sum().astype(float),
    })
    out["recency_days"] = (now - out["last"]) / _DAY
    out["tenure_days"] = (now - out["first"]) / _DAY
    out["monetary"] = out["total_spend"] / out["frequency"]
    usual_gap = np.maximum(out["tenure_days"], 1.0) / out["frequency"]
    out["gap_ratio"] = out["recency_days"] / usual_gap
    out = out.reset_index()[["customer_id"] + BASE_FEATURES]
    return out.sort_values("customer_id").reset_index(drop=True)


def category_shares(items: pd.DataFrame, orders: pd.DataFrame, *, prefix: str = "share_") -> pd.DataFrame:
    """Each customer's share of baskets containing each item (category mix, 品类结构).

    ``items``: long ``order_id, item`` (from :func:`crmlab.mining.baskets.basket_items`);
    ``orders``: ``order_id, customer_id``. Returns ``customer_id, share_<item> ...`` (0–1).

    >>> items = pd.DataFrame({"order_id": [1, 1, 2], "item": ["food", "toys", "food"]})
    >>> orders = pd.DataFrame({"order_id": [1, 2], "customer_id": [7, 7]})
    >>> category_shares(items, orders).to_numpy().tolist()
    [[7.0, 1.0, 0.5]]
    """
    m = items.merge(orders[["order_id", "customer_id"]], on="order_id")
    if len(m) == 0:
        raise DataError("items", "no transactions: no basket item matches an order")
    n_orders = m.groupby("customer_id")["order_id"].nunique()
    counts = pd.crosstab(m["customer_id"], m["item"])
    shares = counts.div(n_orders, axis=0)
    shares.columns = [f"{prefix}{c}" for c in shares.columns]
    return shares.reset_index().rename_axis(columns=None)
