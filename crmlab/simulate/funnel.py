"""Sales opportunities moving through the sales funnel (销售漏斗) with planted conversion rates.

Every opportunity starts outside the funnel (a lead, 漏斗外) and at each stage either moves on or is
lost. Each move takes an exponential time; moves that would happen after the observation date have
not happened yet, so the opportunity is still open at its current stage (censored). Among the
opportunities that *leave* a stage before the observation date, exactly round(rate × leavers) move on
(a random choice of which ones), so the planted conversion rate is the realised rate among decided
opportunities, up to rounding. Estimate a stage's conversion among the opportunities that have left
it: counting the still-open ones in the denominator biases the rate down. See README-mining.md.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.simulate.context import SimContext

# code, name, 中文, seq, default probability (%), won, lost
STAGES = [
    ("outside", "Outside the funnel (lead)", "漏斗外", 1, 5, 0, 0),
    ("top", "Top: qualified", "漏斗上部", 2, 20, 0, 0),
    ("middle", "Middle: followed up", "漏斗中部", 3, 50, 0, 0),
    ("bottom", "Bottom: negotiating the contract", "漏斗底部", 4, 80, 0, 0),
    ("won", "Contract signed", "成交", 5, 100, 1, 0),
    ("lost", "Lost", "丢单", 6, 0, 0, 1),
]
CONVERSION = {"outside->top": 0.50, "top->middle": 0.60, "middle->bottom": 0.55, "bottom->won": 0.65}
MEAN_WEEKS_IN_STAGE = 3.0
LOST_REASONS = ["price", "competitor", "no budget", "no decision", "timing"]


def generate(ctx: SimContext) -> None:
    cfg = ctx.config
    rng = ctx.rng("funnel")
    ctx.write("pipeline_stages", {
        "stage_id": [s[3] for s in STAGES], "code": [s[0] for s in STAGES], "name": [s[1] for s in STAGES],
        "name_zh": [s[2] for s in STAGES], "seq": [s[3] for s in STAGES], "probability": [s[4] for s in STAGES],
        "is_won": [s[5] for s in STAGES], "is_lost": [s[6] for s in STAGES]})
    # opportunities_per_customer up to 2,000 customers, then 0.2 per further customer: a sales team
    # works leads, not every consumer, and the funnel's estimates need only a few thousand
    n = int(round(cfg.opportunities_per_customer * min(cfg.n_customers, 2000)
                  + 0.2 * cfg.opportunities_per_customer / 1.5 * max(cfg.n_customers - 2000, 0)))
    if n == 0:
        ctx.truth["funnel"] = {"conversion": CONVERSION, "n_opportunities": 0}
        return
    cust = ctx.customers
    weight = np.where(cust.customer_type == "company", 6.0, 1.0)
    pick = rng.choice(len(cust), size=n, p=weight / weight.sum())
    created_w = np.sort(rng.uniform(0, cfg.weeks_observed, n))
    created_w = np.maximum(created_w, cust.reg_weeks.to_numpy()[pick] - 4)   # leads may precede registration
    created_w = np.clip(created_w, 0, cfg.weeks_observed - 1e-3)
    ids = np.arange(1, n + 1)
    stage = np.ones(n, int)          # current stage id (1 = outside)
    status = np.array(["open"] * n, dtype=object)
    t = created_w.copy()
    closed_w = np.full(n, np.nan)
    hist_opp, hist_from, hist_to, hist_t = [ids], [np.full(n, -1)], [np.ones(n, int)], [created_w.copy()]
    rates = list(CONVERSION.values())
    active = np.ones(n, bool)
    for step, rate in enumerate(rates, start=1):          # from stage `step` to `step + 1`
        dt = rng.exponential(MEAN_WEEKS_IN_STAGE, n)
        moves = active & (t + dt < cfg.weeks_observed)
        # exactly round(rate × movers) of the opportunities leaving the stage move on (the rest are
        # lost), so the planted rate is the realised rate among decided opportunities
        movers = np.flatnonzero(moves)
        convert = np.zeros(n, bool)
        convert[rng.permutation(movers)[: int(round(rate * len(movers)))]] = True
        t = np.where(moves, t + dt, t)
        to_next = moves & convert
        to_lost = moves & ~convert
        hist_opp += [ids[to_next], ids[to_lost]]
        hist_from += [np.full(to_next.sum(), step), np.full(to_lost.sum(), step)]
        nxt = 5 if step == 4 else step + 1
        hist_to += [np.full(to_next.sum(), nxt), np.full(to_lost.sum(), 6)]
        hist_t += [t[to_next], t[to_lost]]
        stage[to_next] = nxt
        stage[to_lost] = 6
        status[to_lost] = "lost"
        closed_w[to_lost] = t[to_lost]
        if step == 4:
            status[to_next] = "won"
            closed_w[to_next] = t[to_next]
        active = to_next & (step < 4)
    amount = np.round(np.exp(rng.normal(np.log(20000), 0.7, n)) / 100) * 100
    reps = ctx.users.loc[ctx.users.role_code == "sales_rep", "user_id"].to_numpy()
    owner = cust.owner_user_id.to_numpy()[pick]
    zh = ctx.people.zh
    lost_reason = np.where(status == "lost", np.array(LOST_REASONS, dtype=object)[rng.integers(0, 5, n)], None)
    created = ctx.weeks_to_time(created_w)
    closed = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    fin = ~np.isnan(closed_w)
    closed[fin] = ctx.weeks_to_time(closed_w[fin])
    last_change = ctx.weeks_to_time(t)
    ctx.write("opportunities", {
        "opportunity_id": ids,
        "code": np.char.add("OPP", np.char.zfill(ids.astype(str), 6)).astype(object),
        "name": [(f"{c} 采购项目" if zh else f"{c} purchase") for c in cust.customer_code.to_numpy()[pick]],
        "customer_id": cust.customer_id.to_numpy()[pick], "owner_user_id": owner, "stage_id": stage,
        "status": status, "amount": amount, "probability": np.full(n, np.nan),
        "expected_close_date": (created + np.timedelta64(10 * 7 * 86400, "s")).astype("datetime64[D]"),
        "campaign_id": np.full(n, np.nan), "lost_reason": lost_reason,
        "created_at": created, "updated_at": last_change, "closed_at": closed,
    })
    h_opp = np.concatenate(hist_opp)
    h_t = np.concatenate(hist_t)
    order = np.lexsort((h_t, h_opp))
    h_from = np.concatenate(hist_from)[order].astype(float)
    h_from[h_from < 0] = np.nan
    ctx.write("opportunity_stage_history", {
        "history_id": np.arange(1, len(order) + 1), "opportunity_id": h_opp[order],
        "from_stage_id": h_from, "to_stage_id": np.concatenate(hist_to)[order],
        "changed_at": ctx.weeks_to_time(h_t[order]), "changed_by": owner[h_opp[order] - 1],
    })
    _ = reps
    ctx.truth["funnel"] = {
        "stages": {s[0]: {"name_zh": s[2], "probability": s[4]} for s in STAGES},
        "conversion": CONVERSION, "mean_weeks_in_stage": MEAN_WEEKS_IN_STAGE, "n_opportunities": n,
        "censoring": "moves after observation_end have not happened: such opportunities are open",
        "realisation": "exactly round(rate × leavers) of the opportunities leaving a stage move on, so the "
                       "conversion among decided opportunities equals the planted rate up to rounding",
    }
