"""Campaign uplift (营销活动增量效果) from a randomised control group, and campaign ROI.

A campaign contacts a treatment group and deliberately leaves a random control group alone.

* response rate r = responders / members, per group;
* uplift (增量响应率) = r_treatment − r_control, with a normal-approximation (Wald) confidence
  interval: ± z · sqrt(r_t(1 − r_t)/n_t + r_c(1 − r_c)/n_c);
* revenue per member in each group (yuan), and the incremental revenue
  = (revenue per treated member − revenue per control member) × n_treatment;
* cost = the campaign's ``actual_cost`` (or ``cost_per_contact`` × n_treatment when no cost is booked);
* ROI (投资回报率) = (incremental revenue − cost) / cost; ``roi_gross`` uses all revenue of treated
  responders instead — it credits the campaign with sales that would have happened anyway.

>>> import pandas as pd
>>> m = pd.DataFrame({"campaign_id": [1] * 8, "group": ["treatment"] * 4 + ["control"] * 4,
...                   "responded": [1, 1, 0, 0, 1, 0, 0, 0]})
>>> u = campaign_uplift(m)
>>> float(u.response_treatment[0]), float(u.response_control[0]), float(u.uplift[0])
(0.5, 0.25, 0.25)
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from crmlab.errors import DataError

__all__ = ["campaign_uplift"]


def campaign_uplift(members: pd.DataFrame, orders: pd.DataFrame | None = None,
                    campaigns: pd.DataFrame | None = None, *, confidence: float = 0.95) -> pd.DataFrame:
    """Per campaign: group sizes, response rates, uplift with CI, revenue, cost and ROI.

    ``members``: ``campaign_id, group, responded`` (and ``response_order_id`` for revenue);
    ``orders``: ``order_id, amount`` (revenue of the response orders);
    ``campaigns``: ``campaign_id, code, actual_cost, cost_per_contact`` (cost and ROI).
    """
    for c in ("campaign_id", "group", "responded"):
        if c not in members.columns:
            raise DataError(c, f"campaign_members has no column {c!r}")
    if len(members) == 0:
        raise DataError("campaign_members", "no members: the campaign contacted nobody")
    if not 0 < confidence < 1:
        raise DataError("confidence", f"must be between 0 and 1, got {confidence}")
    m = members.copy()
    m["revenue"] = 0.0
    if orders is not None and "response_order_id" in m.columns:
        amount = orders.set_index("order_id")["amount"]
        m["revenue"] = m["response_order_id"].map(amount).fillna(0.0).astype(float)
    z = norm.ppf(0.5 + confidence / 2)
    rows = []
    for cid, g in m.groupby("campaign_id", sort=True):
        t, c = g[g["group"] == "treatment"], g[g["group"] == "control"]
        if len(t) == 0 or len(c) == 0:
            raise DataError("group", f"campaign {cid} needs both a treatment and a control group "
                            f"(has {len(t)} treated, {len(c)} control)")
        rt, rc = t["responded"].mean(), c["responded"].mean()
        se = np.sqrt(rt * (1 - rt) / len(t) + rc * (1 - rc) / len(c))
        rev_t, rev_c = t["revenue"].mean(), c["revenue"].mean()
        rows.append({"campaign_id": cid, "n_treatment": len(t), "n_control": len(c),
                     "response_treatment": rt, "response_control": rc, "uplift": rt - rc,
                     "ci_low": rt - rc - z * se, "ci_high": rt - rc + z * se,
                     "revenue_per_treated": rev_t, "revenue_per_control": rev_c,
                     "incremental_revenue": (rev_t - rev_c) * len(t), "treated_revenue": t["revenue"].sum()})
    out = pd.DataFrame(rows)
    if campaigns is not None:
        if "campaign_id" not in campaigns.columns:
            raise DataError("campaign_id", "campaigns has no column 'campaign_id'")
        cols = [c for c in ("code", "name", "actual_cost", "cost_per_contact") if c in campaigns.columns]
        out = out.merge(campaigns[["campaign_id"] + cols], on="campaign_id", how="left")
        booked = out["actual_cost"] if "actual_cost" in out.columns else pd.Series(np.nan, index=out.index)
        per = out["cost_per_contact"] if "cost_per_contact" in out.columns else pd.Series(np.nan, index=out.index)
        cost = booked.where(booked > 0, per * out["n_treatment"])
        out["cost"] = cost.astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["roi"] = (out["incremental_revenue"] - out["cost"]) / out["cost"].where(out["cost"] > 0)
            out["roi_gross"] = (out["treated_revenue"] - out["cost"]) / out["cost"].where(out["cost"] > 0)
        out = out.drop(columns=[c for c in ("actual_cost", "cost_per_contact") if c in out.columns])
        front = ["campaign_id"] + [c for c in ("code", "name") if c in out.columns]
        out = out[front + [c for c in out.columns if c not in front]]
    return out
