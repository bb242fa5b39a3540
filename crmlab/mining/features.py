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

__all__ = ["customer_features", "category_shares", "channel_shares", "hour_profile", "behaviour_features",
           "BASE_FEATURES"]

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


def channel_shares(orders: pd.DataFrame, *, prefix: str = "channel_") -> pd.DataFrame:
    """Each customer's share of orders per channel (购买渠道: where they buy).

    >>> o = pd.DataFrame({"customer_id": [1, 1, 1, 2], "channel": ["app", "app", "web", "web"]})
    >>> channel_shares(o).round(3).to_numpy().tolist()
    [[1.0, 0.667, 0.333], [2.0, 0.0, 1.0]]
    """
    for col in ("customer_id", "channel"):
        if col not in orders.columns:
            raise DataError(col, f"orders has no column {col!r}")
    if len(orders) == 0:
        raise DataError("orders", "no transactions: no orders to count channels in")
    out = pd.crosstab(orders["customer_id"], orders["channel"], normalize="index").add_prefix(prefix)
    return out.reset_index().rename_axis(columns=None)


def hour_profile(orders: pd.DataFrame) -> pd.DataFrame:
    """When a customer shops (购买高峰): the mean clock hour as a point on a circle.

    Hours wrap around (23:30 and 00:30 are an hour apart, not 23), so each order's hour h becomes
    (sin 2πh/24, cos 2πh/24); ``hour_sin`` / ``hour_cos`` are their means and ``peak_hour`` the
    mean direction in hours (0–24).

    >>> o = pd.DataFrame({"customer_id": [1, 1], "ordered_at": pd.to_datetime(["2024-01-01 23:00", "2024-01-02 01:00"])})
    >>> round(float(hour_profile(o).peak_hour.iloc[0]), 6) % 24
    0.0
    """
    t = pd.to_datetime(orders["ordered_at"])
    ang = (t.dt.hour + t.dt.minute / 60) / 24 * 2 * np.pi
    g = pd.DataFrame({"customer_id": orders["customer_id"].to_numpy(), "hour_sin": np.sin(ang).to_numpy(),
                      "hour_cos": np.cos(ang).to_numpy()}).groupby("customer_id").mean()
    g["peak_hour"] = (np.arctan2(g["hour_sin"], g["hour_cos"]) / (2 * np.pi) * 24) % 24
    return g.reset_index()


def behaviour_features(orders: pd.DataFrame, items: pd.DataFrame, now=None) -> pd.DataFrame:
    """Everything a behavioural segmentation needs, one row per customer with orders:
    :func:`customer_features` (RFM and friends), the share of orders holding each item group
    (``share_<item>``; pass items labelled by department for a compact mix), the channel mix and
    the shopping hour — what a group buys, where and when (seed: 拥有哪些产品、购买高峰、在哪些地方).
    """
    orders, now = _orders_before(orders, now)
    base = customer_features(orders, now)
    mix = category_shares(items[items["order_id"].isin(orders["order_id"])], orders)
    out = base.merge(mix, on="customer_id", how="left").merge(channel_shares(orders), on="customer_id", how="left")
    out = out.merge(hour_profile(orders), on="customer_id", how="left")
    return out.fillna(0.0)
