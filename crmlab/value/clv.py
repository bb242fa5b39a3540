"""Customer lifetime value (客户终身价值, CLV) from a stream of yearly revenue or profit.

Convention (the seed's formula image is lost, its glossary survives): revenue I_t arrives at the
*end* of year t = 1..n and is discounted at rate r (贴现率):

    CLV = Σ_{t=1..n} I_t / (1 + r)^t

The profit form (利润口径) discounts I_t − C_t (revenue minus the cost of serving the customer).
A check by hand: I = 100 a year, r = 10 %, n = 3 gives 90.909 + 82.645 + 75.131 = 248.685.

>>> round(clv([100, 100, 100], r=0.10), 3)
248.685
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError
from crmlab.value import _validate as v

__all__ = ["clv", "clv_schedule", "clv_components", "clv_retention", "net_profit", "relationship_value",
           "historical_value", "current_value", "potential_value", "CLV_COMPONENTS"]

#: The seed's value-contribution decomposition CLV = CLV1 + … + CLV6 (exact wording kept).
CLV_COMPONENTS = {
    "CLV1": ("initial purchase", "客户初期购买给企业带来的收益"),
    "CLV2": ("repeat purchases and higher spend", "客户重复购买(及增量购买)给企业带来的收益"),
    "CLV3": ("cross-selling", "客户交叉购买给企业带来的收益"),
    "CLV4": ("long cooperation: lower service cost, forgiven mistakes, more efficient marketing",
             "厂商和客户长期配合,使服务成本降低,并能原谅某些失误及提高营销效率所带来的收益"),
    "CLV5": ("referrals", "客户推荐(口碑)给企业带来的收益"),
    "CLV6": ("repeat or loyal buyers are less sensitive to value (price)", "重复购买者或忠诚客户对价值的敏感性降低"),
}


def clv(revenue, r: float, *, cost=None, margin: float | None = None) -> float:
    """Present value of a customer's yearly revenue (or profit) stream: Σ_{t=1..n} I_t/(1+r)^t.

    ``revenue``: I_1..I_n (yuan per year); ``cost``: optional C_1..C_n (or one number for every
    year), giving the profit form Σ (I_t − C_t)/(1+r)^t; ``margin``: optional profit share of
    revenue. ``r`` > −1 (a rate per year). Units: yuan (present value).

    >>> round(clv([100, 100, 100], r=0.10), 3)
    248.685
    >>> round(clv([100, 100, 100], r=0.10, cost=40), 3)     # profit form: 60 a year
    149.211
    """
    return float(clv_schedule(revenue, r, cost=cost, margin=margin)["present_value"].sum())


def clv_schedule(revenue, r: float, *, cost=None, margin: float | None = None) -> pd.DataFrame:
    """Year-by-year CLV table: t, revenue, cost, value, discount factor 1/(1+r)^t, present value, cumulative.

    >>> clv_schedule([100, 100], r=0.1)["discount_factor"].round(4).tolist()
    [0.9091, 0.8264]
    """
    r = v.rate(r)
    inc = v.values(revenue, "revenue", money=True)
    n = len(inc)
    if cost is None:
        c = np.zeros(n)
    else:
        c = v.values(cost, "cost", money=True)
        if c.size == 1:
            c = np.repeat(c, n)
        if c.size != n:
            raise DataError("cost", f"needs one value per year ({n}), got {c.size}")
    value = inc - c
    if margin is not None:
        m = float(margin)
        if not -1 <= m <= 1:
            raise DataError("margin", f"is a share of revenue between -1 and 1, got {m:g}")
        value = inc * m - c
    t = np.arange(1, n + 1)
    df = 1.0 / (1.0 + r) ** t
    out = pd.DataFrame({"t": t, "revenue": inc, "cost": c, "value": value, "discount_factor": df,
                        "present_value": value * df})
    out["cumulative"] = out["present_value"].cumsum()
    return out


def clv_components(r: float, **components) -> pd.Series:
    """CLV = CLV1 + … + CLV6: each component is a yearly stream discounted like :func:`clv`.

    Keyword names are ``CLV1`` … ``CLV6`` (see :data:`CLV_COMPONENTS`); missing ones count as 0.
    Returns the six present values and their total ``CLV``.

    >>> s = clv_components(0.1, CLV1=[110], CLV2=[0, 121])
    >>> s.tolist()
    [100.0, 100.0, 0.0, 0.0, 0.0, 0.0, 200.0]
    """
    unknown = set(components) - set(CLV_COMPONENTS)
    if unknown:
        raise DataError(sorted(unknown)[0], "unknown component; use CLV1 … CLV6")
    out = {}
    for key in CLV_COMPONENTS:
        stream = components.get(key)
        if stream is None:
            out[key] = 0.0
            continue
        s = v.values(stream, key)
        t = np.arange(1, len(s) + 1)
        out[key] = float(np.sum(s / (1 + v.rate(r)) ** t))
    out["CLV"] = float(sum(out.values()))
    return pd.Series(out, name="present_value").round(10)


def clv_retention(margin: float, retention: float, r: float, *, horizon: int | None = None) -> float:
    """CLV of one customer with a constant yearly margin m and retention rate ρ (客户保持率).

    The margin of year t is earned at the end of year t if the customer is still there
    (probability ρ^t): CLV = Σ_{t=1..n} m ρ^t / (1+r)^t. With ``horizon=None`` (no end) this is the
    geometric sum m·ρ/(1 + r − ρ), the margin × retention-discount multiplier.

    >>> round(clv_retention(100, 0.8, 0.1), 2)
    266.67
    >>> round(clv_retention(100, 0.8, 0.1, horizon=1), 2)     # 100 × 0.8 / 1.1
    72.73
    """
    r = v.rate(r)
    rho = v.probability(retention, "retention")
    m = float(v.values(margin, "margin")[0])
    if horizon is None:
        if rho >= 1 + r:
            raise DataError("retention", "with no horizon the retention rate must be below 1 + r")
        return m * rho / (1 + r - rho)
    if int(horizon) != horizon or horizon < 1:
        raise DataError("horizon", f"must be a whole number of years ≥ 1, got {horizon!r}")
    t = np.arange(1, int(horizon) + 1)
    return float(np.sum(m * (rho / (1 + r)) ** t))


def net_profit(price, production_cost, fixed_marketing_cost=0.0, variable_marketing_cost=0.0):
    """Current value as net profit (净利润, seed 002): price paid − allocated production cost
    − fixed marketing cost − variable marketing cost. Scalars or arrays (yuan).

    >>> net_profit(1000, 600, 50, 30)
    320.0
    """
    p = v.values(price, "price", money=True)
    c = v.values(production_cost, "production_cost", money=True)
    f = v.values(fixed_marketing_cost, "fixed_marketing_cost", money=True)
    m = v.values(variable_marketing_cost, "variable_marketing_cost", money=True)
    out = p - c - f - m
    return float(out[0]) if out.size == 1 else out


def relationship_value(relationship_profit, investment):
    """Customer relationship value (客户关系价值) = profit due to the relationship − the investment
    needed to build and keep it (seed 000). Scalars or arrays (yuan).

    >>> relationship_value(5000, 1200)
    3800.0
    """
    p = v.values(relationship_profit, "relationship_profit")
    i = v.values(investment, "investment", money=True)
    out = p - i
    return float(out[0]) if out.size == 1 else out


def _profit_frame(orders, customer, time, amount, cost):
    v.frame(orders, [customer, time, amount] + ([cost] if cost else []), name="orders")
    df = orders
    if "status" in df.columns:
        df = df[~df["status"].isin(["cancelled"])]
    amt = v.numeric(df, amount, money=True)
    cst = v.numeric(df, cost, money=True) if cost else np.zeros(len(df))
    return pd.DataFrame({"customer": df[customer].to_numpy(), "t": v.times(df, time).to_numpy(),
                         "profit": amt - cst})


def historical_value(orders: pd.DataFrame, *, at=None, r: float = 0.0, customer="customer_id",
                     time="ordered_at", amount="amount", cost="cost") -> pd.Series:
    """Historical value (历史价值): profit (amount − cost) a customer has brought up to ``at``,
    compounded to ``at`` at the yearly rate r: Σ profit_k · (1+r)^(years from order k to at). Yuan.
    """
    r = v.rate(r)
    df = _profit_frame(orders, customer, time, amount, cost)
    at = pd.Timestamp(at) if at is not None else df["t"].max()
    df = df[df["t"] <= at]
    years = (at - df["t"]).dt.total_seconds() / (365.25 * 86400)
    df = df.assign(v=df["profit"] * (1 + r) ** years)
    out = df.groupby("customer")["v"].sum()
    out.index.name = customer
    return out.rename("historical_value")


def current_value(orders: pd.DataFrame, *, at=None, window_weeks: float = 52, customer="customer_id",
                  time="ordered_at", amount="amount", cost="cost") -> pd.Series:
    """Current value (当前价值): yearly profit at the present level of business, i.e. the profit of
    the last ``window_weeks`` scaled to 52 weeks (if the customer keeps buying as now). Yuan/year.
    """
    df = _profit_frame(orders, customer, time, amount, cost)
    at = pd.Timestamp(at) if at is not None else df["t"].max()
    start = at - pd.Timedelta(weeks=window_weeks)
    recent = df[(df["t"] > start) & (df["t"] <= at)]
    out = recent.groupby("customer")["profit"].sum() * (52.0 / window_weeks)
    out = out.reindex(df["customer"].unique(), fill_value=0.0).sort_index()
    out.index.name = customer
    return out.rename("current_value")


def potential_value(predicted_clv, current, *, years: float = 1.0):
    """Potential value (潜在价值, direct evaluation): value expected over the remaining lifecycle
    beyond what the current level of business would give, ``predicted_clv − current × years``.
    Negative means the customer is expected to shrink. Series or arrays (yuan).
    """
    if isinstance(predicted_clv, pd.Series):
        cur = current.reindex(predicted_clv.index, fill_value=0.0) if isinstance(current, pd.Series) else current
        return (predicted_clv - cur * years).rename("potential_value")
    return v.values(predicted_clv, "predicted_clv") - v.values(current, "current") * years
