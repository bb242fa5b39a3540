"""Campaign response prediction (营销响应预测): who answers when contacted?

Features are the customer's behaviour as known on each campaign's start date; the outcome is
``responded`` in the treatment group. The model is trained on the earlier campaigns and scored on
the latest one(s) — again the future is the exam. Baseline: recency alone (recent buyers answer more).
"""
from __future__ import annotations

import pandas as pd

from crmlab.errors import DataError
from crmlab.mining.classify import ClassifierResult, fit_classifier
from crmlab.mining.features import customer_features

__all__ = ["response_frames", "response_model", "RESPONSE_FEATURES"]

RESPONSE_FEATURES = ["recency_days", "frequency", "monetary", "tenure_days"]


def response_frames(members: pd.DataFrame, campaigns: pd.DataFrame, orders: pd.DataFrame, *,
                    n_test: int = 1, group: str = "treatment") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training and test frames: one row per (campaign, member) with features as of the campaign's
    ``start_date`` and ``responded`` (0/1). The last ``n_test`` campaigns by start date form the test
    frame. Members without any order before the start date are left out (no behaviour yet).
    """
    for c in ("campaign_id", "customer_id", "group", "responded"):
        if c not in members.columns:
            raise DataError(c, f"campaign_members has no column {c!r}")
    for c in ("campaign_id", "start_date"):
        if c not in campaigns.columns:
            raise DataError(c, f"campaigns has no column {c!r}")
    m = members[members["group"] == group]
    if len(m) == 0:
        raise DataError("group", f"no campaign members in the {group!r} group")
    starts = campaigns.set_index("campaign_id")["start_date"].map(pd.Timestamp)
    ids = sorted(m["campaign_id"].unique(), key=lambda c: (starts[c], c))
    if len(ids) <= n_test:
        raise DataError("campaign_members", f"needs more than {n_test} campaign(s) to train on earlier ones "
                        f"and test on the latest; found {len(ids)}")
    frames = []
    for cid in ids:
        feats = customer_features(orders, starts[cid] - pd.Timedelta(seconds=1))
        part = m[m["campaign_id"] == cid][["campaign_id", "customer_id", "responded"]]
        frames.append(part.merge(feats, on="customer_id", how="inner"))
    test_ids = set(ids[-n_test:])
    all_ = pd.concat(frames, ignore_index=True)
    train = all_[~all_["campaign_id"].isin(test_ids)].reset_index(drop=True)
    test = all_[all_["campaign_id"].isin(test_ids)].reset_index(drop=True)
    return train, test


def response_model(train: pd.DataFrame, test: pd.DataFrame | None = None, *, target: str = "responded",
                   features: list[str] | None = None, max_depth: int = 3, threshold: float = 0.5,
                   random_state: int = 0) -> ClassifierResult:
    """Logistic regression + decision tree for campaign response, against recency alone."""
    return fit_classifier(train, test, target=target, features=features or RESPONSE_FEATURES,
                          baseline="recency_days", baseline_sign=-1.0, max_depth=max_depth,
                          threshold=threshold, random_state=random_state)
