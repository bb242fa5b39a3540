"""Customer loyalty (客户忠诚): the attitude × behaviour quadrant, loyalty measures, retention and churn.

* **Loyalty quadrant** (Dick & Basu 1994; the course's 2×2): attitudinal loyalty (态度忠诚) ×
  repeat purchase (重复购买行为):

  ==================  ======================  ======================
  attitude \\ repeat   high                    low
  ==================  ======================  ======================
  high                loyal 忠诚               latent 潜在忠诚
  low                 spurious 虚伪忠诚         none 不忠诚
  ==================  ======================  ======================

  "High" means strictly above the threshold (default: the median).
* **Loyalty measures** (忠诚度衡量指标) from the database: repeat purchases (重复购买次数),
  days between purchases (挑选时间 proxy), price sensitivity (价格敏感程度: share of orders bought
  with a discount), tolerance of quality incidents (对质量事故的承受能力: bought again after a
  complaint), spend (购买费用), relationship length (关系持续时间).
* **Retention rate** (顾客保持率) of a period = customers active in the previous period who are
  active again / customers active in the previous period; churn rate (客户流失率) = 1 − retention.
* **Churn types** (客户流失类型): natural 自然流失, competitive 竞争流失, malicious 恶意流失 (e.g. to
  evade the final payment), negligent 过失流失 (the company's fault).

>>> import pandas as pd
>>> d = pd.DataFrame({"attitude": [1, 1, -1, -1], "repeat": [5, 0, 5, 0]})
>>> loyalty_quadrant(d, attitude="attitude", repeat="repeat", attitude_threshold=0, repeat_threshold=1)["quadrant"].tolist()
['loyal', 'latent', 'spurious', 'none']
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError

QUADRANTS = {"loyal": "忠诚", "latent": "潜在忠诚", "spurious": "虚伪忠诚", "none": "不忠诚"}
CHURN_TYPES = {"natural": "自然流失", "competitive": "竞争流失", "malicious": "恶意流失", "negligent": "过失流失"}
#: Order statuses that are purchases (an order placed but never paid, or cancelled, is not).
PURCHASE_STATUSES = ("paid", "shipped", "delivered", "returned")


def _need(df: pd.DataFrame, cols, what: str) -> None:
    for c in cols:
        if c not in df.columns:
            raise DataError(c, f"column missing from {what}")


def loyalty_quadrant(data: pd.DataFrame, attitude: str = "attitude", repeat: str = "repeat_purchases",
                     attitude_threshold: float | None = None, repeat_threshold: float | None = None,
                     lang: str = "en") -> pd.DataFrame:
    """Add ``quadrant`` (loyal / latent / spurious / none) and ``quadrant_zh`` columns.

    High attitude = attitude > attitude_threshold; high repeat = repeat > repeat_threshold
    (defaults: the medians of the data).
    """
    _need(data, [attitude, repeat], "the loyalty data")
    a = pd.to_numeric(data[attitude], errors="coerce")
    r = pd.to_numeric(data[repeat], errors="coerce")
    for name, s in ((attitude, a), (repeat, r)):
        if s.isna().any():
            raise DataError(name, f"{int(s.isna().sum())} missing or non-numeric value(s)")
    at = float(a.median()) if attitude_threshold is None else float(attitude_threshold)
    rt = float(r.median()) if repeat_threshold is None else float(repeat_threshold)
    hi_a, hi_r = a > at, r > rt
    q = np.select([hi_a & hi_r, hi_a & ~hi_r, ~hi_a & hi_r], ["loyal", "latent", "spurious"], "none")
    out = data.copy()
    out["quadrant"] = q
    out["quadrant_zh"] = out["quadrant"].map(QUADRANTS)
    return out


def quadrant_shares(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """Count and share of customers per quadrant (all four rows, in the order of ``QUADRANTS``)."""
    q = data if "quadrant" in data.columns else loyalty_quadrant(data, **kwargs)
    n = q["quadrant"].value_counts().reindex(list(QUADRANTS), fill_value=0)
    return pd.DataFrame({"quadrant": n.index, "quadrant_zh": [QUADRANTS[k] for k in n.index],
                         "customers": n.to_numpy(), "share": n.to_numpy() / max(len(q), 1)})


def purchases(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders that are purchases (status paid / shipped / delivered / returned)."""
    _need(orders, ["customer_id", "ordered_at", "status"], "orders")
    return orders[orders["status"].isin(PURCHASE_STATUSES)]


def loyalty_measures(orders: pd.DataFrame, tickets: pd.DataFrame | None = None, now=None) -> pd.DataFrame:
    """The course's loyalty measures per customer who bought at least once.

    Columns: n_orders, repeat_purchases (n_orders − 1), days_between (mean days between
    purchases, NaN for one purchase), discount_share (share of purchases with a discount: price
    sensitivity), spend (yuan), relationship_days (first → last purchase), recency_days (last
    purchase → ``now``), complaints (complaint tickets) and bought_after_complaint (1/0; NaN
    without a complaint: tolerance of incidents).
    """
    p = purchases(orders)
    _need(p, ["amount"], "orders")
    if now is None:
        now = p["ordered_at"].max()
    now = pd.Timestamp(now)
    g = p.sort_values("ordered_at").groupby("customer_id")
    first, last, n = g["ordered_at"].min(), g["ordered_at"].max(), g.size()
    out = pd.DataFrame({"n_orders": n, "repeat_purchases": n - 1})
    span = (last - first).dt.total_seconds() / 86400.0
    out["days_between"] = (span / (n - 1)).where(n > 1)
    disc = p["discount"] > 0 if "discount" in p.columns else pd.Series(False, index=p.index)
    out["discount_share"] = disc.groupby(p["customer_id"]).mean()
    out["spend"] = g["amount"].sum()
    out["relationship_days"] = span
    out["recency_days"] = (now - last).dt.total_seconds() / 86400.0
    if tickets is not None:
        _need(tickets, ["customer_id", "kind", "opened_at"], "tickets")
        comp = tickets[tickets["kind"] == "complaint"]
        first_c = comp.groupby("customer_id")["opened_at"].min()
        out["complaints"] = comp.groupby("customer_id").size().reindex(out.index, fill_value=0)
        fc = first_c.reindex(out.index)
        out["bought_after_complaint"] = np.where(fc.isna(), np.nan, (last > fc).astype(float))
    out.index.name = "customer_id"
    return out.reset_index()


def retention_rate(orders: pd.DataFrame, period: str = "Q") -> pd.DataFrame:
    """Retention rate (顾客保持率) and churn rate per period.

    retention_t = |active_{t−1} ∩ active_t| / |active_{t−1}|, churn_t = 1 − retention_t, where
    active = made a purchase in the period. ``period`` is a pandas period code (``"M"``, ``"Q"``, ``"Y"``).

    >>> import pandas as pd
    >>> o = pd.DataFrame({"customer_id": [1, 2, 3, 1, 2], "status": "paid",
    ...     "ordered_at": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-03-01", "2024-04-02", "2024-05-02"])})
    >>> retention_rate(o).iloc[1][["active", "base", "retained", "retention_rate"]].astype(float).round(4).tolist()
    [2.0, 3.0, 2.0, 0.6667]
    """
    p = purchases(orders)
    per = p["ordered_at"].dt.to_period(period)
    active = p.assign(period=per).groupby("period")["customer_id"].apply(lambda s: set(s.unique()))
    active = active.reindex(pd.period_range(active.index.min(), active.index.max(), freq=active.index.freq),
                            fill_value=set())
    rows = []
    prev = None
    for t, cur in active.items():
        if prev is None:
            rows.append((str(t), len(cur), np.nan, np.nan, np.nan))
        else:
            kept = len(prev & cur)
            rows.append((str(t), len(cur), len(prev), kept, kept / len(prev) if prev else np.nan))
        prev = cur
    # base: customers active in the previous period, the denominator of the rate
    out = pd.DataFrame(rows, columns=["period", "active", "base", "retained", "retention_rate"])
    out["churn_rate"] = 1.0 - out["retention_rate"]
    return out


def cohort_retention(orders: pd.DataFrame, period: str = "Q", churn: bool = False) -> pd.DataFrame:
    """Cohort table: rows = period of first purchase (获客期), columns = periods since (0, 1, …),
    values = share of the cohort that purchased in that period (cohort 顾客保持率); with
    ``churn=True`` the complement, the cohort's churn rate (客户流失率) 1 − retention."""
    p = purchases(orders)
    per = p["ordered_at"].dt.to_period(period)
    d = pd.DataFrame({"customer_id": p["customer_id"].to_numpy(), "per": per.to_numpy()})
    cohort = d.groupby("customer_id")["per"].transform("min")
    d["cohort"] = cohort
    d["age"] = (d["per"] - d["cohort"]).map(lambda x: x.n)
    counts = d.drop_duplicates(["customer_id", "age"]).groupby(["cohort", "age"]).size().unstack(fill_value=0)
    table = counts.div(counts[0], axis=0)
    table.index = table.index.astype(str)
    table.columns.name = "periods_since_first_purchase"
    return 1.0 - table if churn else table


def label_churn_type(measures: pd.DataFrame, orders: pd.DataFrame | None = None, now=None,
                     churn_after_days: float = 180.0, price_share: float = 0.5) -> pd.DataFrame:
    """Label churned customers with a churn type by rules a CRM analyst can apply to the data.

    A customer is *churned* when their last purchase is more than ``churn_after_days`` ago.
    Rules, first match wins: **malicious** (恶意流失) — an order past its payment due date was
    never paid (evading the final payment); **negligent** (过失流失) — they complained and did not
    buy again (the company's failure); **competitive** (竞争流失) — at least ``price_share`` of
    their purchases used a discount (lured by a better price); **natural** (自然流失) otherwise.

    ``measures`` comes from :func:`loyalty_measures` (with tickets). Returns customer_id,
    churned (bool) and churn_type (None for customers not churned).
    """
    _need(measures, ["customer_id", "recency_days", "discount_share"], "the loyalty measures")
    m = measures.copy()
    m["churned"] = m["recency_days"] > churn_after_days
    unpaid = pd.Series(False, index=m.index)
    if orders is not None:
        _need(orders, ["customer_id", "status", "due_at"], "orders")
        t_now = pd.Timestamp(now) if now is not None else orders["ordered_at"].max()
        bad = orders[(orders["status"] == "placed") & (orders["due_at"] < t_now)]["customer_id"].unique()
        unpaid = m["customer_id"].isin(bad)
    complained = m.get("bought_after_complaint", pd.Series(np.nan, index=m.index)) == 0
    label = np.select([unpaid, complained, m["discount_share"] >= price_share],
                      ["malicious", "negligent", "competitive"], "natural").astype(object)
    label[~m["churned"].to_numpy()] = None
    m["churn_type"] = label
    return m[["customer_id", "churned", "churn_type"]]


def churn_type_agreement(labels: pd.DataFrame, truth: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Confusion table of labelled vs planted churn types (``truth_customers.churn_type``) over the
    customers both call churned, and the share labelled correctly."""
    _need(labels, ["customer_id", "churn_type"], "the labels")
    _need(truth, ["customer_id", "churn_type"], "the truth table")
    d = labels.merge(truth[["customer_id", "churn_type"]], on="customer_id", suffixes=("", "_planted"))
    d = d[d["churn_type"].notna() & d["churn_type_planted"].notna()]
    if d.empty:
        raise DataError("churn_type", "no customer is churned in both the labels and the truth")
    table = pd.crosstab(d["churn_type_planted"], d["churn_type"]).reindex(
        index=list(CHURN_TYPES), columns=list(CHURN_TYPES), fill_value=0)
    return table, float((d["churn_type"] == d["churn_type_planted"]).mean())
