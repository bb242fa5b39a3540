"""Marketing campaigns with a randomised control group and a planted uplift (促销活动数据).

Each campaign targets a random share of the customers registered before it starts; 30% of the
targets (CONTROL_SHARE) are held out as the control group (not contacted), by blocked randomisation
within cells of past behaviour (see ``_blocked_control``). A member *responds* if they make a
purchase during the campaign window. Members in the treatment group who are still active and would
not have bought anyway buy with the planted incremental probability ``u`` (an extra order attributed
to the campaign). Because the simulator knows both potential outcomes of every member, the true
uplift of the campaign's own members is stored exactly: ``uplift = mean(Y1) − mean(Y0)``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.simulate.context import SimContext

# code, name, name (zh), kind, channel, start (weeks after observation start), length (weeks),
# target share, incremental probability u, cost per contact (yuan)
PLAN = [
    ("CMP-618-2023", "618 mid-year sale", "618年中大促", "promotion", "app_push", 23.0, 2.0, 0.40, 0.12, 1.5),
    ("CMP-D11-2023", "Double 11 festival", "双十一购物节", "promotion", "sms", 44.0, 2.0, 0.45, 0.15, 2.0),
    ("CMP-WINBACK-2024", "Win-back of lapsed customers", "沉睡客户唤醒", "win_back", "email", 70.0, 3.0, 0.35, 0.08, 1.0),
    ("CMP-TEA-2024", "Autumn tea cross-sell", "秋茶交叉销售", "cross_sell", "wechat", 92.0, 2.0, 0.30, 0.10, 1.2),
]
CONTROL_SHARE = 0.3   # a larger hold-out than the usual 10–20% keeps the uplift CI teachable at 2,000 customers


def _blocked_control(rng, chosen: np.ndarray, ev: pd.DataFrame, purchase: np.ndarray, start: float,
                     n_buyers: int) -> np.ndarray:
    """Stratified (blocked) randomisation, as marketers do with RFM cells: within each block of
    members alike in what the CRM knows at the start (orders so far: 0, 1, 2, 3, 4+; bought in the
    last 8 weeks or not) exactly round(CONTROL_SHARE × block size) members, chosen at random, form
    the control group. This keeps the groups balanced on past behaviour, so the uplift estimate
    varies less than under coin-flip assignment."""
    owner, week = ev.owner.to_numpy(), ev.week.to_numpy()
    before = purchase & (week < start)
    n_prev = np.bincount(owner[before], minlength=n_buyers)[chosen]
    last = np.full(n_buyers, -np.inf)
    np.maximum.at(last, owner[before], week[before])
    recent = (start - last[chosen]) <= 8.0
    block = np.minimum(n_prev, 4) * 2 + recent
    control = np.zeros(len(chosen), bool)
    for b in np.unique(block):
        idx = rng.permutation(np.flatnonzero(block == b))
        control[idx[: int(round(CONTROL_SHARE * len(idx)))]] = True
    return control


def campaign_costs(contacted: int, cost_per_contact: float) -> dict[str, float]:
    """Budget and actual cost (yuan) of a campaign that contacted ``contacted`` customers.

    actual_cost = contacted × cost_per_contact + 1,500 (fixed set-up); budget = 1.2 × the variable
    part + 2,000.

    >>> campaign_costs(100, 2.0)
    {'budget': 2240.0, 'actual_cost': 1700.0}
    """
    return {"budget": round(contacted * cost_per_contact * 1.2 + 2000, 2),
            "actual_cost": round(contacted * cost_per_contact + 1500, 2)}


def generate(ctx: SimContext) -> None:
    cfg = ctx.config
    rng = ctx.rng("campaigns")
    plan = PLAN[: cfg.n_campaigns]
    buyers = ctx.buyers
    ev = ctx.events
    reg = buyers.reg_weeks.to_numpy()
    drop_abs = reg + ctx.buyer_dropout
    lam = buyers.purchase_rate.to_numpy()
    nu = buyers.spend_nu.to_numpy()
    marketers = ctx.users.loc[ctx.users.role_code.isin(["sales_manager", "admin"]), "user_id"].to_numpy()
    rows, members, truth, new_events = [], [], {}, []
    purchase = ev.kind.to_numpy() == 0
    for k, (code, name, name_zh, kind, channel, start, length, share, u, cpc) in enumerate(plan, start=1):
        end = start + length
        eligible = np.flatnonzero(reg < start)
        chosen = eligible[rng.random(len(eligible)) < share]
        control = _blocked_control(rng, chosen, ev, purchase, start, len(buyers))
        # Y0: bought anyway in the window (from the base process)
        in_win = purchase & (ev.week.to_numpy() >= start) & (ev.week.to_numpy() < end)
        bought = np.zeros(len(buyers), bool)
        bought[ev.owner.to_numpy()[in_win]] = True
        y0 = bought[chosen]
        alive = drop_abs[chosen] > start
        extra = (~y0) & alive & (rng.random(len(chosen)) < u)    # potential outcome under treatment
        y1 = y0 | extra
        treated = ~control
        realised_extra = chosen[extra & treated]
        wk = start + rng.uniform(0, length, len(realised_extra))
        new_events.append(pd.DataFrame({
            "owner": realised_extra, "week": wk, "kind": 3,
            "z": rng.gamma(cfg.spend_p, 1.0 / nu[realised_extra]), "campaign_id": k}))
        # last-touch attribution: treated members' purchases in the window carry the campaign id
        attributed = in_win & np.isin(ev.owner.to_numpy(), chosen[treated])
        ev.loc[attributed, "campaign_id"] = k
        contacted = int(treated.sum())
        rows.append({"campaign_id": k, "code": code, "name": name_zh if ctx.people.zh else name, "kind": kind,
                     "channel": channel, "trigger_mode": "scheduled", "status": "completed",
                     "objective": f"{kind}: {name}", "content": name_zh, "location": "online",
                     "target_segment": "random sample of registered customers (randomised control group)",
                     "start_date": ctx.weeks_to_time(start).astype("datetime64[D]"),
                     "end_date": ctx.weeks_to_time(end - 1 / 7).astype("datetime64[D]"),
                     **campaign_costs(contacted, cpc),
                     "cost_per_contact": cpc, "owner_user_id": int(marketers[k % len(marketers)])})
        sent = ctx.weeks_to_time(np.full(len(chosen), start))
        opened = rng.random(len(chosen)) < 0.35
        members.append(pd.DataFrame({
            "campaign_id": k, "customer_id": buyers.customer_id.to_numpy()[chosen],
            "group": np.where(control, "control", "treatment").astype(object),
            "sent_at": np.where(treated, sent, np.datetime64("NaT")),
            "opened_at": np.where(treated & opened, sent + np.timedelta64(3600 * 6, "s"), np.datetime64("NaT")),
            "responded": np.where(treated, y1, y0).astype(int),
            "_owner": chosen, "_start": start, "_end": end}))
        truth[code] = {
            "campaign_id": k, "incremental_prob": u, "members": int(len(chosen)), "control": int(control.sum()),
            "control_share": CONTROL_SHARE,
            "response_control": float(y0.mean()) if len(chosen) else None,
            "response_treatment": float(y1.mean()) if len(chosen) else None,
            "uplift": float(y1.mean() - y0.mean()) if len(chosen) else None,
            "definition": "response = a purchase during the campaign window; uplift = mean(Y1) − mean(Y0) "
                          "over all members (both potential outcomes are known to the simulator)",
        }
    if new_events:
        ctx.events = pd.concat([ev] + new_events, ignore_index=True)
    ctx.campaign_rows = pd.DataFrame(rows)
    ctx.campaign_members = pd.concat(members, ignore_index=True) if members else None
    ctx.truth["campaigns"] = truth


def link_responses(ctx: SimContext) -> None:
    """After order ids exist: write campaigns and members, with each responder's first order in the window."""
    if ctx.campaign_rows is None or not len(ctx.campaign_rows):
        return
    ctx.write_frame("campaigns", ctx.campaign_rows)
    m = ctx.campaign_members
    ev = ctx.events.assign(order_id=ctx.event_order_id)
    ev = ev.loc[ev.kind.isin([0, 3])]
    first = []
    for cid, grp in m.groupby("campaign_id", sort=True):
        start, end = grp._start.iloc[0], grp._end.iloc[0]
        win = ev.loc[(ev.week >= start) & (ev.week < end)].sort_values("week")
        win = win.loc[(win.kind == 0) | (win.campaign_id == cid)]
        firsts = win.groupby("owner").order_id.first()
        first.append(grp._owner.map(firsts))
    resp = pd.concat(first).reindex(m.index)
    resp = resp.where(m.responded.astype(bool))
    out = m.drop(columns=["_owner", "_start", "_end"]).copy()
    out["response_order_id"] = resp.to_numpy()
    # hold-out orders are not in `orders`: a response order must exist there
    valid = set(ctx.orders.order_id.to_numpy().tolist())
    out.loc[~out.response_order_id.isin(valid), "response_order_id"] = np.nan
    ctx.write_frame("campaign_members", out)
