"""The sales funnel (销售漏斗): outside → top → middle → bottom → contract.

Each opportunity (销售机会) moves through the pipeline stages in ``opportunity_stage_history``.

* reached(s): opportunities whose history reaches stage s or a later one (skipping counts as passing);
* conversion(s) = reached(s + 1) / decided(s), where decided(s) = reached(s) minus the opportunities
  still open *at* s (they have not yet had their chance: counting them would bias the rate down);
* weighted pipeline (加权销售额) = Σ over open opportunities of amount × win probability;
* forecast (销售预测) = Σ over open opportunities of amount × P(win | current stage), the product of
  the observed conversion rates from the current stage to the contract.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError

__all__ = ["funnel", "weighted_pipeline", "sales_forecast"]


def _need(df, name, cols):
    if df is None or not isinstance(df, pd.DataFrame):
        raise DataError(name, f"expected the {name} table as a DataFrame")
    for c in cols:
        if c not in df.columns:
            raise DataError(c, f"{name} has no column {c!r}")


def _stage_order(stages: pd.DataFrame) -> pd.DataFrame:
    _need(stages, "pipeline_stages", ["stage_id", "code", "seq"])
    st = stages.copy()
    if "is_lost" not in st.columns:
        st["is_lost"] = 0
    return st.sort_values("seq").reset_index(drop=True)


def _reached(stage_history: pd.DataFrame, stages: pd.DataFrame) -> pd.Series:
    """Highest non-lost stage position (0-based) each opportunity reached."""
    _need(stage_history, "opportunity_stage_history", ["opportunity_id", "to_stage_id"])
    if len(stage_history) == 0:
        raise DataError("opportunity_stage_history", "no stage moves: the funnel needs opportunities' histories")
    flow = stages[stages["is_lost"] == 0].reset_index(drop=True)
    pos = pd.Series(np.arange(len(flow)), index=flow["stage_id"])
    h = stage_history.assign(pos=stage_history["to_stage_id"].map(pos))
    if "from_stage_id" in h.columns:   # a lost move also proves the stage it left was reached
        h["pos"] = h["pos"].astype(float).fillna(h["from_stage_id"].map(pos).astype(float))
    return h.groupby("opportunity_id")["pos"].max().dropna().astype(int)


def funnel(stage_history: pd.DataFrame, stages: pd.DataFrame, opportunities: pd.DataFrame | None = None) -> pd.DataFrame:
    """Funnel table, one row per stage in order: ``code, name_zh, reached, open_here, decided,
    advanced, conversion`` (to the next stage, 0–1) and ``share_of_entry`` (reached ÷ first stage).

    ``opportunities`` (``opportunity_id, stage_id, status``) tells which are still open; without
    it every opportunity counts as decided.

    >>> stages = pd.DataFrame({"stage_id": [1, 2, 3, 9], "code": ["top", "middle", "contract", "lost"],
    ...                        "seq": [1, 2, 3, 9], "is_lost": [0, 0, 0, 1]})
    >>> hist = pd.DataFrame({"opportunity_id": [1, 1, 1, 2, 2, 3, 4],
    ...                      "from_stage_id": [None, 1, 2, None, 1, None, None],
    ...                      "to_stage_id": [1, 2, 3, 1, 9, 1, 1]})
    >>> opps = pd.DataFrame({"opportunity_id": [1, 2, 3, 4], "stage_id": [3, 9, 9, 1],
    ...                      "status": ["won", "lost", "lost", "open"]})
    >>> funnel(hist, stages, opps)[["code", "reached", "decided", "advanced", "conversion"]].to_numpy().tolist()
    [['top', 4, 3, 1, 0.3333333333333333], ['middle', 1, 1, 1, 1.0], ['contract', 1, 1, 0, nan]]
    """
    st = _stage_order(stages)
    flow = st[st["is_lost"] == 0].reset_index(drop=True)
    reached = _reached(stage_history, st)
    open_pos = pd.Series(dtype=float)
    if opportunities is not None:
        _need(opportunities, "opportunities", ["opportunity_id", "status"])
        is_open = opportunities.set_index("opportunity_id")["status"].eq("open")
        open_ids = is_open[is_open].index
        open_pos = reached[reached.index.isin(open_ids)]
    rows = []
    for i, s in flow.iterrows():
        n_reached = int((reached >= i).sum())
        open_here = int((open_pos == i).sum())
        decided = n_reached - open_here
        last = i == len(flow) - 1
        advanced = 0 if last else int((reached >= i + 1).sum())
        conv = np.nan if last or decided == 0 else advanced / decided
        rows.append({"code": s["code"], "name_zh": s.get("name_zh", s["code"]), "reached": n_reached,
                     "open_here": open_here, "decided": decided, "advanced": advanced, "conversion": conv})
    out = pd.DataFrame(rows)
    out["share_of_entry"] = out["reached"] / max(out["reached"].iloc[0], 1)
    return out


def _open_opps(opportunities, stages):
    _need(opportunities, "opportunities", ["opportunity_id", "stage_id", "status", "amount"])
    st = _stage_order(stages)
    keep = [c for c in ("opportunity_id", "stage_id", "status", "amount", "probability") if c in opportunities.columns]
    o = opportunities.loc[opportunities["status"] == "open", keep].merge(
        st[["stage_id", "code", "seq"] + (["probability"] if "probability" in st.columns else [])]
        .rename(columns={"probability": "stage_probability"}), on="stage_id", how="left")
    return o, st


def weighted_pipeline(opportunities: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    """Open pipeline by stage: ``code, n_open, amount, probability`` (0–1), ``weighted`` = Σ amount × p.

    An opportunity's own ``probability`` (0–100) is used when set, else its stage's default.
    """
    o, st = _open_opps(opportunities, stages)
    own = o["probability"] if "probability" in o.columns else pd.Series(np.nan, index=o.index)
    stage_p = o["stage_probability"] if "stage_probability" in o.columns else pd.Series(np.nan, index=o.index)
    p = own.fillna(stage_p)
    if p.isna().any():
        raise DataError("probability", "an open opportunity has no probability and its stage has no default")
    o = o.assign(p=p.astype(float) / 100.0, weighted=o["amount"].astype(float) * p.astype(float) / 100.0)
    g = o.groupby(["seq", "code"], sort=True).agg(n_open=("opportunity_id", "size"), amount=("amount", "sum"),
                                                  weighted=("weighted", "sum"))
    g["probability"] = g["weighted"] / g["amount"].where(g["amount"] > 0)
    return g.reset_index().drop(columns="seq")[["code", "n_open", "amount", "probability", "weighted"]]


def sales_forecast(opportunities: pd.DataFrame, stages: pd.DataFrame, funnel_table: pd.DataFrame) -> pd.DataFrame:
    """Expected contract value of the open pipeline, from the funnel's observed conversion rates.

    P(win | at stage i) = conversion(i) × conversion(i+1) × … up to the contract stage.
    Columns: ``code, n_open, amount, win_probability, expected``.
    """
    o, st = _open_opps(opportunities, stages)
    conv = funnel_table.set_index("code")["conversion"].fillna(1.0)
    codes = list(funnel_table["code"])
    win = {c: float(np.prod(conv.iloc[i:-1])) if i < len(codes) - 1 else 1.0 for i, c in enumerate(codes)}
    o = o.assign(win_probability=o["code"].map(win))
    o["expected"] = o["amount"].astype(float) * o["win_probability"]
    g = o.groupby(["seq", "code"]).agg(n_open=("opportunity_id", "size"), amount=("amount", "sum"),
                                       win_probability=("win_probability", "first"), expected=("expected", "sum"))
    return g.reset_index().drop(columns="seq")
