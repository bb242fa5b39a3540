"""Churn prediction (客户流失预测): who will stop buying?

The observation window is split in two: features are computed up to a cutoff ``now − horizon`` and
the label "churned" (no order in the next ``horizon`` days) comes from the rest of the window. The
model learnt there is then applied to features computed at ``now`` and scored against the hold-out
future (the ``holdout_orders`` table): the future is the exam the model never saw.

The baseline is recency alone (the seed's rule: 最近购买时间等指标识别流失客户): the longer since the
last order, the likelier churn. A useful model must beat it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError
from crmlab.mining.classify import ClassifierResult, fit_classifier
from crmlab.mining.features import customer_features

__all__ = ["churn_frames", "churn_model", "CHURN_FEATURES"]

CHURN_FEATURES = ["recency_days", "frequency", "tenure_days", "gap_ratio"]


def _label(features: pd.DataFrame, future_orders: pd.DataFrame, start, end) -> pd.Series:
    t = pd.to_datetime(future_orders["ordered_at"])
    live = future_orders
    if "status" in live.columns:
        live = live[live["status"] != "cancelled"]
        t = t[live.index]
    buyers = set(live.loc[(t > start) & (t <= end), "customer_id"])
    return (~features["customer_id"].isin(buyers)).astype(int)


def churn_frames(orders: pd.DataFrame, holdout_orders: pd.DataFrame | None = None, *, now=None,
                 horizon_days: float | None = None, holdout_end=None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Training and test frames for churn: ``customer_id``, features, ``churned`` (1 = no order).

    * ``now``: the observation date (default: the last order in ``orders``).
    * ``horizon_days``: how long "no order" must last to count as churn (default: the length of the
      hold-out, ``holdout_end − now``; 90 days without a hold-out).
    * train: features at ``now − horizon``, label from ``(now − horizon, now]``.
    * test: features at ``now``, label from the hold-out ``(now, holdout_end]`` (None without hold-out).
    """
    if orders is None or len(orders) == 0:
        raise DataError("orders", "no transactions: churn needs the customers' orders")
    t = pd.to_datetime(orders["ordered_at"])
    now = t.max() if now is None else pd.Timestamp(now)
    if holdout_orders is not None and holdout_end is None and len(holdout_orders):
        holdout_end = pd.to_datetime(holdout_orders["ordered_at"]).max()
    if horizon_days is None:
        horizon_days = (pd.Timestamp(holdout_end) - now) / pd.Timedelta(days=1) if holdout_end is not None else 90.0
    if horizon_days <= 0:
        raise DataError("horizon_days", f"must be positive, got {horizon_days}")
    cutoff = now - pd.Timedelta(days=horizon_days)
    train = customer_features(orders, cutoff)
    train["churned"] = _label(train, orders, cutoff, now).to_numpy()
    test = None
    if holdout_orders is not None:
        test = customer_features(orders, now)
        end = pd.Timestamp(holdout_end) if holdout_end is not None else now + pd.Timedelta(days=horizon_days)
        test["churned"] = _label(test, holdout_orders, now, end).to_numpy()
    return train, test


def churn_model(train: pd.DataFrame, test: pd.DataFrame | None = None, *, target: str = "churned",
                features: list[str] | None = None, max_depth: int = 3, threshold: float = 0.5,
                random_state: int = 0) -> ClassifierResult:
    """Logistic regression + decision tree for churn, scored on ``test`` against recency alone.

    Returns a :class:`~crmlab.mining.classify.ClassifierResult`: ``.summary()``, ``.odds_ratios``,
    ``.auc`` ({logit, tree, baseline}), ``.deciles()``, ``.confusion(threshold)``, ``.tree``.
    """
    return fit_classifier(train, test, target=target, features=features or CHURN_FEATURES,
                          baseline="recency_days", baseline_sign=1.0, max_depth=max_depth,
                          threshold=threshold, random_state=random_state)
