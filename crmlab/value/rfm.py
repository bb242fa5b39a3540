"""RFM model (RFM 量化模型): recency, frequency and monetary value scored into quantile bins.

* R = days from the last purchase to ``at`` (smaller is better, so it scores higher),
  F = number of orders, M = total amount (or mean amount with ``monetary="mean"``).
* Scores: with ``method="quantile"`` each measure is ranked (ties by customer id) and cut into
  ``bins`` equal-count groups scored 1..bins (5 = best), i.e. quintiles by default; with
  ``method="fixed"`` you pass the bin edges yourself.
* ``rfm_score`` = w_R·R + w_F·F + w_M·M (``weights``), ``rfm_code`` = "R F M" digits.
* Segments: each score is "high" when ≥ ``high`` (default: above the midpoint, 4 or 5 of 5); the 2×2×2 combinations give
  the eight classic segments (重要价值客户 … 一般挽留客户), each with a strategy.
(The course seeds name RFM but give no scoring rule; quintiles are the usual textbook choice.)

>>> import pandas as pd
>>> o = pd.DataFrame({"customer_id": [1, 1, 2, 3, 3, 3], "amount": [10., 20., 5., 50., 50., 50.],
...                   "ordered_at": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-02-01",
...                                                 "2024-01-05", "2024-02-05", "2024-03-05"])})
>>> rfm(o, at="2024-03-10", bins=3)[["recency", "frequency", "monetary", "R", "F", "M"]]
             recency  frequency  monetary  R  F  M
customer_id                                       
1                  9          2      30.0  2  2  2
2                 38          1       5.0  1  1  1
3                  5          3     150.0  3  3  3
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError
from crmlab.value import _validate as v

__all__ = ["rfm", "rfm_summary", "score", "SEGMENTS"]

#: (R high, F high, M high) → (code, Chinese name, strategy)
SEGMENTS = {
    (True, True, True): ("champions", "重要价值客户", "keep them: VIP service, early access, dedicated contact"),
    (True, False, True): ("develop", "重要发展客户", "raise frequency: cross-sell, membership, reminders"),
    (False, True, True): ("retain", "重要保持客户", "win back attention: personal contact before they lapse"),
    (False, False, True): ("win_back", "重要挽留客户", "find out why they stopped; targeted win-back offer"),
    (True, True, False): ("loyal_low_value", "一般价值客户", "upsell: bundles and higher-value products"),
    (True, False, False): ("new_or_occasional", "一般发展客户", "nurture: onboarding, second-purchase incentive"),
    (False, True, False): ("fading", "一般保持客户", "low-cost reactivation (automated messages)"),
    (False, False, False): ("lost", "一般挽留客户", "cut service cost; occasional low-cost campaigns only"),
}


def score(x: np.ndarray, bins: int = 5, *, higher_is_better: bool = True, edges=None) -> np.ndarray:
    """Scores 1..bins: equal-count bins of the rank (ties kept in input order), or fixed ``edges``."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    if edges is not None:
        # right-closed bins like pandas.cut: x ≤ e1 → 1, e1 < x ≤ e2 → 2, ...
        s = np.searchsorted(np.asarray(edges, dtype=float), x, side="left") + 1
        s = np.clip(s, 1, len(edges) + 1)
        return (len(edges) + 2 - s) if not higher_is_better else s
    key = x if higher_is_better else -x
    order = np.argsort(key, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return (rank * bins // n + 1).astype(np.int64)


def rfm(orders: pd.DataFrame, *, at=None, customer: str = "customer_id", time: str = "ordered_at",
        amount: str = "amount", bins: int = 5, weights=(1.0, 1.0, 1.0), method: str = "quantile",
        edges: dict | None = None, monetary: str = "sum", high: int | None = None,
        exclude_status=("cancelled",)) -> pd.DataFrame:
    """Per customer: recency (days), frequency (orders), monetary (yuan), R/F/M scores, code,
    weighted score, segment (code and Chinese) and strategy.

    ``at`` defaults to the day after the last order. ``edges`` (with ``method="fixed"``) maps
    "recency"/"frequency"/"monetary" to increasing bin edges (right-closed: x ≤ e1 is the lowest
    bin; for recency, days ≤ e1 is the *best* score); recency edges are in days.
    """
    v.frame(orders, [customer, time, amount], name="orders")
    if not isinstance(bins, (int, np.integer)) or bins < 2:
        raise DataError("bins", f"must be a whole number ≥ 2, got {bins!r}")
    if method not in ("quantile", "fixed"):
        raise DataError("method", f"must be 'quantile' or 'fixed', got {method!r}")
    w = np.asarray(weights, dtype=float)
    if w.shape != (3,) or (w < 0).any():
        raise DataError("weights", "need three non-negative weights (R, F, M)")
    df = orders
    if exclude_status and "status" in df.columns:
        df = df[~df["status"].isin(exclude_status)]
    t = v.times(df, time)
    amt = v.numeric(df, amount, money=True)
    cust = df[customer].to_numpy()
    # one pass with integer codes: much faster than groupby on object keys for millions of rows
    codes, uniq = v.codes(cust)
    tn = t.to_numpy().astype("datetime64[ns]").astype(np.int64)
    last = np.full(len(uniq), np.iinfo(np.int64).min)
    np.maximum.at(last, codes, tn)
    freq = np.bincount(codes, minlength=len(uniq))
    total = np.bincount(codes, weights=amt, minlength=len(uniq))
    at_ns = (pd.Timestamp(at) if at is not None else t.max().normalize() + pd.Timedelta(days=1)).value
    recency = (at_ns - last) // (86400 * 10**9)
    mon = total if monetary == "sum" else total / freq
    if method == "fixed":
        edges = edges or {}
        for k in ("recency", "frequency", "monetary"):
            if k not in edges:
                raise DataError("edges", f"method='fixed' needs edges for {k!r}")
        R = score(recency, higher_is_better=False, edges=edges["recency"])
        F = score(freq, edges=edges["frequency"])
        M = score(mon, edges=edges["monetary"])
        top = len(edges["recency"]) + 1
    else:
        R = score(recency, bins, higher_is_better=False)
        F = score(freq, bins)
        M = score(mon, bins)
        top = bins
    high = high if high is not None else int(np.floor((top + 1) / 2)) + 1   # above the scale's midpoint
    out = pd.DataFrame({"recency": recency, "frequency": freq, "monetary": mon, "R": R, "F": F, "M": M},
                       index=pd.Index(uniq, name=customer))
    if top < 10:
        # categoricals built from codes: no per-row string work on millions of customers
        ucode, inv = np.unique(R * 100 + F * 10 + M, return_inverse=True)
        out["rfm_code"] = pd.Categorical.from_codes(inv, categories=[str(u) for u in ucode])
    else:
        out["rfm_code"] = [f"{r}-{f}-{m}" for r, f, m in zip(R, F, M)]
    out["rfm_score"] = w[0] * R + w[1] * F + w[2] * M
    key = (R >= high) * 4 + (F >= high) * 2 + (M >= high)
    table = {int(r) * 4 + int(f) * 2 + int(m): seg for (r, f, m), seg in SEGMENTS.items()}
    for col, j in (("segment", 0), ("segment_zh", 1), ("strategy", 2)):
        out[col] = pd.Categorical.from_codes(key, categories=[table[k][j] for k in range(8)])
    return out


def rfm_summary(scored: pd.DataFrame) -> pd.DataFrame:
    """Segment sizes and values: customers, share, mean recency/frequency/monetary, total monetary."""
    g = scored.groupby(["segment", "segment_zh"], observed=True)
    out = g.agg(n_customers=("R", "size"), recency=("recency", "mean"), frequency=("frequency", "mean"),
                monetary=("monetary", "mean"), total_monetary=("monetary", "sum"))
    out["customer_share"] = out["n_customers"] / out["n_customers"].sum()
    out["value_share"] = out["total_monetary"] / out["total_monetary"].sum()
    return out.sort_values("total_monetary", ascending=False)
