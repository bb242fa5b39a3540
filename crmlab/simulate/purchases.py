"""The purchase process: buy-till-you-die orders, spend, baskets, payment and credit, hold-out future.

Model (time in weeks from ``observation_start``; see README.md for the equations):

* customer i registers at ``reg_i`` ~ U(0, acquisition_weeks) with a first purchase;
* repeat purchases follow a Poisson process with rate λ_i while the customer is alive;
  after each repeat purchase the customer drops out with probability p_i (BG/NBD);
* each purchase's value z ~ Gamma(shape p, rate ν_i) yuan (Gamma-Gamma);
* each order holds one anchor category from the customer's segment department, maybe a second one,
  and the planted pairs drawn independently (catalog.PAIRS);
* consumers pay at once; business customers pay on credit terms and are late with probability
  credit_risk_i (lateness ~ Exponential(mean late_payment_days_mean days));
* orders before ``observation_end`` go to ``orders``/``order_lines``; later ones (to ``holdout_end``)
  to ``holdout_orders``/``holdout_order_lines``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.db.io import format_codes
from crmlab.simulate.catalog import EXTRA_ITEM_PROB, PAIRS
from crmlab.simulate.context import SimContext
from crmlab.simulate.parties import SEGMENTS

WEEK = 7 * 86400
PURCHASE_STATUSES = ["paid", "shipped", "delivered", "returned"]
STAGES = {  # code: (考察期 model of seed 002, five-stage model of seed 000)
    "exploration": ("考察期", "潜在获取期"),
    "formation": ("形成期", "成长期"),
    "stability": ("稳定期", "成熟期"),
    "decline": ("退化期", "衰退期"),
    "termination": ("终止期", "终止期"),
}
STATUS_NAMES = np.array(["cancelled", "placed", "paid", "shipped", "delivered", "returned"], dtype=object)
CHURN_TYPES = {"natural": "自然流失", "competitive": "竞争流失", "malicious": "恶意流失", "negligent": "过失流失"}


def _repeat_purchases(ctx: SimContext, buyers: pd.DataFrame, horizon: np.ndarray, rng: np.random.Generator):
    """Repeat-purchase times (weeks after registration) under BG/NBD, up to each customer's horizon.

    Candidate events: N_i ~ Poisson(λ_i·H_i) uniform on [0, H_i]; the customer survives K_i − 1 of
    them, K_i ~ Geometric(p_i), and drops out right after the K_i-th. Returns (owner index, time) of
    the purchases kept and each customer's dropout time (inf if still alive at the horizon).
    """
    lam = buyers.purchase_rate.to_numpy()
    p = buyers.dropout_prob.to_numpy()
    n_events = rng.poisson(lam * horizon)
    k = rng.geometric(np.clip(p, 1e-9, 1.0))
    total = int(n_events.sum())
    owner = np.repeat(np.arange(len(buyers), dtype=np.int64), n_events)
    # one sort over (owner + u) orders every customer's events at once
    key = owner + rng.random(total)
    key.sort()
    owner = key.astype(np.int64)
    t = (key - owner) * horizon[owner]
    starts = np.cumsum(n_events) - n_events
    rank = np.arange(total) - starts[owner]          # 0-based position within the customer's events
    keep = rank < k[owner]
    dies = k <= n_events
    dropout = np.full(len(buyers), np.inf)
    last = starts + k - 1
    dropout[dies] = t[last[dies]]
    return owner[keep], t[keep], dropout


def _segment_lookup(segment: np.ndarray, values: dict) -> np.ndarray:
    """Map each segment name to a value, vectorised."""
    names = list(values)
    codes = pd.Categorical(segment, categories=names).codes
    return np.asarray([values[k] for k in names])[codes]


def _time_of_day(ctx, weeks: np.ndarray, segment: np.ndarray, rng) -> np.ndarray:
    """Keep the day from the process, set the hour from the segment's shopping habit."""
    days = np.floor(weeks * 7)
    peak = _segment_lookup(segment, {k: v["hour"] for k, v in SEGMENTS.items()}).astype(float)
    hour = np.where(rng.random(len(weeks)) < 0.8, peak + rng.uniform(-1.5, 1.5, len(weeks)),
                    rng.uniform(0, 24, len(weeks)))
    hour = np.mod(hour, 24)
    secs = (days * 86400 + np.floor(hour * 3600)).astype(np.int64)
    return ctx.config.t_start + secs.astype("timedelta64[s]")


def _baskets(ctx: SimContext, seg: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """Category lines for each order: returns (order index, category index) pairs."""
    cats = ctx.product_categories
    pair_codes = {p["antecedent"] for p in PAIRS} | {p["consequent"] for p in PAIRS}
    free = cats.loc[~cats.code.isin(pair_codes)]
    depts = list(dict.fromkeys(free.department))
    by_dept = {d: free.index[free.department == d].to_numpy() for d in depts}
    n = len(seg)
    purity = ctx.config.segment_purity
    seg_dept = _segment_lookup(seg, {k: depts.index(v["department"]) for k, v in SEGMENTS.items()}).astype(int)
    width = min(len(v) for v in by_dept.values())
    table = np.array([by_dept[d][:width] for d in depts], dtype=int)     # department × category

    def draw_free(size_mask):
        own = rng.random(n) < purity
        other = (seg_dept + rng.integers(1, len(depts), n)) % len(depts)
        dept = np.where(own, seg_dept, other)
        cat = table[dept, rng.integers(0, width, n)]
        return np.flatnonzero(size_mask), cat[size_mask]

    idx_o, idx_c = [], []
    o, c = draw_free(np.ones(n, bool))
    idx_o.append(o); idx_c.append(c)
    o2, c2 = draw_free(rng.random(n) < EXTRA_ITEM_PROB)
    dup = np.zeros(len(o2), bool)
    if len(o2):
        first = np.empty(n, int); first[o] = c
        dup = first[o2] == c2
    idx_o.append(o2[~dup]); idx_c.append(c2[~dup])
    code_index = {code: i for i, code in enumerate(cats.code)}
    for p in PAIRS:
        has_a = rng.random(n) < p["pi_a"]
        has_b = rng.random(n) < np.where(has_a, p["pi_b_given_a"], p["pi_b_given_not_a"])
        for mask, code in ((has_a, p["antecedent"]), (has_b, p["consequent"])):
            sel = np.flatnonzero(mask)
            idx_o.append(sel); idx_c.append(np.full(len(sel), code_index[code]))
    order_idx = np.concatenate(idx_o)
    cat_idx = np.concatenate(idx_c)
    srt = np.lexsort((cat_idx, order_idx))
    return order_idx[srt], cat_idx[srt]


def _lines(ctx: SimContext, target_gross: np.ndarray, seg: np.ndarray, rng):
    """Order lines whose prices add up (in cents) to each order's gross value."""
    n = len(target_gross)
    o_idx, c_idx = _baskets(ctx, seg, rng)
    prods = ctx.products
    cats = ctx.product_categories
    by_cat = [prods.index[prods.product_category_id == cid].to_numpy() for cid in cats.product_category_id]
    counts = np.array([len(b) for b in by_cat])
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    flat = np.concatenate(by_cat)
    pick = flat[offsets[c_idx] + (rng.random(len(c_idx)) * counts[c_idx]).astype(int)]
    list_cents = np.round(prods.list_price.to_numpy()[pick] * 100).astype(np.int64)
    n_lines = np.bincount(o_idx, minlength=n)
    per_line = target_gross[o_idx] / n_lines[o_idx]
    qty = np.clip(np.round(per_line * 100 / list_cents), 1, 20).astype(np.int64)
    base = np.bincount(o_idx, weights=qty * list_cents, minlength=n)
    factor = target_gross * 100 / np.maximum(base, 1)
    unit_cents = np.maximum(np.round(list_cents * factor[o_idx]), 1).astype(np.int64)
    ratio = cats.cost_ratio.to_numpy()[c_idx]
    cost_cents = np.round(unit_cents * ratio).astype(np.int64)
    line_no = np.arange(len(o_idx)) - (np.cumsum(n_lines) - n_lines)[o_idx] + 1
    gross = np.bincount(o_idx, weights=qty * unit_cents, minlength=n).astype(np.int64)
    cost = np.bincount(o_idx, weights=qty * cost_cents, minlength=n).astype(np.int64)
    items = np.bincount(o_idx, weights=qty, minlength=n).astype(np.int64)
    lines = {"o": o_idx, "line_no": line_no, "product_id": prods.product_id.to_numpy()[pick],
             "quantity": qty, "unit_cents": unit_cents, "cost_cents": cost_cents}
    return lines, gross, cost, items


def simulate_events(ctx: SimContext) -> None:
    """Draw every order event (purchases and non-purchases) as ``ctx.events``; ids come in :func:`finalize`.

    ``ctx.events`` columns: owner (row of ``ctx.buyers``), week, kind (0 purchase, 1 cancelled,
    2 placed-unpaid, 3 campaign-incremental purchase), z (order value, yuan), campaign_id (0 = none).
    """
    cfg = ctx.config
    rng = ctx.rng("purchases")
    cust = ctx.customers
    buyers = cust.loc[~cust.is_prospect].reset_index(drop=True)
    w_obs, w_total = cfg.weeks_observed, cfg.weeks_total
    reg = buyers.reg_weeks.to_numpy()
    horizon = w_total - reg

    owner, t_rep, dropout = _repeat_purchases(ctx, buyers, horizon, rng)
    # all purchases: the first at registration (t = 0) plus the repeats
    p_owner = np.concatenate([np.arange(len(buyers)), owner])
    p_week = np.concatenate([reg, reg[owner] + t_rep])
    is_first = np.concatenate([np.ones(len(buyers), bool), np.zeros(len(owner), bool)])
    n_purch = len(p_owner)
    nu = buyers.spend_nu.to_numpy()
    z = rng.gamma(cfg.spend_p, 1.0 / nu[p_owner])               # order value (yuan)

    # noise orders (not purchases): abandoned carts that were cancelled, and recent unpaid orders
    noisy = rng.random(n_purch) < cfg.noise_order_share
    n_owner = p_owner[noisy]
    n_week = np.maximum(p_week[noisy] - rng.uniform(0, 2, noisy.sum()) / 7, reg[n_owner])
    alive_end = dropout + reg > w_obs
    unpaid_owner = np.flatnonzero(alive_end & (rng.random(len(buyers)) < 0.02))
    u_week = w_obs - rng.uniform(0, 3, len(unpaid_owner)) / 7
    u_week = np.maximum(u_week, reg[unpaid_owner])
    o_owner = np.concatenate([p_owner, n_owner, unpaid_owner])
    o_week = np.concatenate([p_week, n_week, u_week])
    kind = np.concatenate([np.zeros(n_purch, int), np.ones(len(n_owner), int), np.full(len(unpaid_owner), 2)])
    z_all = np.concatenate([z, rng.gamma(cfg.spend_p, 1.0 / nu[n_owner]), rng.gamma(cfg.spend_p, 1.0 / nu[unpaid_owner])])
    first_all = np.concatenate([is_first, np.zeros(len(n_owner) + len(unpaid_owner), bool)])

    # churn type (客户流失类型) of every buyer who drops out before the end of the hold-out, with a
    # trace in the data: a malicious churner's final order is never paid (恶意流失: evading payment)
    crng = ctx.rng("churn")
    att, psn = buyers.attitude.to_numpy(), buyers.price_sensitivity.to_numpy()
    w = np.column_stack([np.full(len(buyers), 0.25), 0.35 * np.exp(0.8 * psn), np.full(len(buyers), 0.10),
                         0.30 * np.exp(-0.8 * att)])
    w /= w.sum(1, keepdims=True)
    ct_idx = (crng.random(len(buyers))[:, None] > np.cumsum(w, 1)).sum(1)
    churn_type = np.array(list(CHURN_TYPES), dtype=object)[np.minimum(ct_idx, 3)]
    churn_type[reg + dropout > w_total] = None
    mal = np.flatnonzero(churn_type == "malicious")
    m_week = np.minimum(reg[mal] + dropout[mal] + crng.uniform(0.5, 3, len(mal)) / 7, w_total - 1e-3)
    o_owner = np.concatenate([o_owner, mal])
    o_week = np.concatenate([o_week, m_week])
    kind = np.concatenate([kind, np.full(len(mal), 2)])
    z_all = np.concatenate([z_all, crng.gamma(cfg.spend_p, 1.0 / nu[mal])])
    ctx.buyers = buyers
    ctx.buyer_dropout = dropout
    ctx.buyer_churn_type = churn_type
    ctx.events = pd.DataFrame({"owner": o_owner, "week": o_week, "kind": kind, "z": z_all,
                               "campaign_id": np.zeros(len(o_owner), np.int64)})


def finalize(ctx: SimContext) -> None:
    """Turn ``ctx.events`` into orders and lines (times, baskets, payments, statuses, ids) and truths."""
    cfg = ctx.config
    rng = ctx.rng("orders")
    cust = ctx.customers
    buyers = ctx.buyers
    dropout = ctx.buyer_dropout
    ev = ctx.events
    o_owner = ev.owner.to_numpy()
    o_week = ev.week.to_numpy()
    kind = ev.kind.to_numpy()
    z_all = ev.z.to_numpy()
    w_obs, w_total = cfg.weeks_observed, cfg.weeks_total
    reg = buyers.reg_weeks.to_numpy()
    seg = buyers.segment.to_numpy()[o_owner]
    ordered_at = _time_of_day(ctx, o_week, seg, rng)
    # the registration time is the first purchase's time
    reg_time = ordered_at[: len(buyers)]   # events start with each buyer's first purchase
    n_all = len(o_owner)

    # discounts: price-sensitive customers use coupons more often
    ps = buyers.price_sensitivity.to_numpy()[o_owner]
    p_coupon = 1 / (1 + np.exp(-(-1.4 + 0.9 * ps)))
    # competitive churners (竞争流失) were lured by price: most of their orders used a coupon
    p_coupon = np.where(ctx.buyer_churn_type[o_owner] == "competitive", np.maximum(p_coupon, 0.8), p_coupon)
    coupon = rng.random(n_all) < p_coupon
    d_rate = np.where(coupon, rng.uniform(0.05, 0.2, n_all), 0.0)
    lines, gross_c, cost_c, items = _lines(ctx, z_all / (1 - d_rate), seg, rng)
    discount_c = np.round(gross_c * d_rate).astype(np.int64)
    amount_c = gross_c - discount_c

    # channel
    chans = np.array(["web", "app", "mini_program", "store"], dtype=object)
    pref = _segment_lookup(seg, {k: list(chans).index(v["channel"]) for k, v in SEGMENTS.items()}).astype(int)
    other = (pref + rng.integers(1, 4, n_all)) % 4
    channel = chans[np.where(rng.random(n_all) < cfg.channel_purity, pref, other)]

    # payment and fulfilment
    is_comp = (buyers.customer_type.to_numpy() == "company")[o_owner]
    terms = buyers.payment_terms_days.fillna(0).to_numpy().astype(float)[o_owner]
    sec = np.timedelta64(1, "s")
    due = ordered_at + np.where(is_comp, terms * 86400, 86400).astype(np.int64) * sec
    risk = buyers.credit_risk.to_numpy()[o_owner]
    late = rng.random(n_all) < risk
    pay_delay = np.where(
        is_comp,
        np.where(late, terms * 86400 + rng.exponential(cfg.late_payment_days_mean * 86400, n_all),
                 rng.uniform(0, 1, n_all) * terms * 86400),
        rng.uniform(60, 1800, n_all))
    paid_at = ordered_at + pay_delay.astype(np.int64) * sec
    ship_base = np.where(is_comp, ordered_at, paid_at)
    shipped_at = ship_base + rng.uniform(4 * 3600, 48 * 3600, n_all).astype(np.int64) * sec
    delivered_at = shipped_at + rng.uniform(86400, 5 * 86400, n_all).astype(np.int64) * sec
    returned = rng.random(n_all) < cfg.return_share

    in_holdout = o_week >= w_obs
    frames = {}
    truth_counts = {}
    for name, mask, now in (("orders", ~in_holdout, cfg.t_end), ("holdout_orders", in_holdout, cfg.t_holdout_end)):
        idx = np.flatnonzero(mask)
        idx = idx[np.argsort(ordered_at[idx], kind="stable")]
        pa = paid_at[idx].copy(); sa_ = shipped_at[idx].copy(); de = delivered_at[idx].copy()
        pa[pa >= now] = np.datetime64("NaT"); sa_[sa_ >= now] = np.datetime64("NaT"); de[de >= now] = np.datetime64("NaT")
        k = kind[idx]
        # status codes index STATUS_NAMES: the furthest step reached; returned deliveries marked
        code = np.where(~np.isnat(de), 4, np.where(~np.isnat(sa_), 3, np.where(~np.isnat(pa), 2, 1)))
        code[(code == 4) & returned[idx]] = 5
        # credit orders shipped before payment keep their fulfilment status; consumers pay first
        cancelled = k == 1
        code[cancelled] = 0
        unpaid = k == 2
        code[unpaid] = 1
        for arr in (pa, sa_, de):
            arr[cancelled | unpaid] = np.datetime64("NaT")
        frames[name] = (idx, STATUS_NAMES[code], pa, sa_, de)
        truth_counts[name] = {"purchases": int((k == 0).sum()), "campaign_incremental": int((k == 3).sum()),
                              "noise_orders": int(np.isin(k, (1, 2)).sum())}

    # ids: observation orders first (chronological), the hold-out continues the sequence
    id_of = np.zeros(n_all, np.int64)
    next_id = 1
    for name in ("orders", "holdout_orders"):
        idx = frames[name][0]
        id_of[idx] = np.arange(next_id, next_id + len(idx))
        next_id += len(idx)
    cust_id = buyers.customer_id.to_numpy()
    stored = {}
    for name in ("orders", "holdout_orders"):
        idx, status, pa, sa_, de = frames[name]
        ids = id_of[idx]
        cols = {
            "order_id": ids,
            "order_no": format_codes("O", ids, 8),
            "customer_id": cust_id[o_owner[idx]],
            "campaign_id": np.where(ev.campaign_id.to_numpy()[idx] > 0, ev.campaign_id.to_numpy()[idx], np.nan),
            "channel": channel[idx], "status": status,
            "ordered_at": ordered_at[idx], "due_at": due[idx], "paid_at": pa, "shipped_at": sa_,
            "delivered_at": de, "n_items": items[idx],
            "gross_amount": gross_c[idx] / 100, "discount": discount_c[idx] / 100,
            "amount": amount_c[idx] / 100, "cost": cost_c[idx] / 100,
        }
        stored[name] = pd.DataFrame(cols)
    # lines, re-keyed to order ids
    lo = lines["o"]
    # lines come grouped by event in line order; a stable sort by order id keeps that order
    line_ids = id_of[lo]
    srt = np.argsort(line_ids, kind="stable")
    ho_sorted = in_holdout[lo][srt]
    obs_at, ho_at = srt[~ho_sorted], srt[ho_sorted]
    line_cols = {"order_id": line_ids, "line_no": lines["line_no"], "product_id": lines["product_id"],
                 "quantity": lines["quantity"], "unit_price": lines["unit_cents"] / 100,
                 "unit_cost": lines["cost_cents"] / 100}
    obs_lines = pd.DataFrame({c: v[obs_at] for c, v in line_cols.items()})
    ho_lines = pd.DataFrame({c: v[ho_at] for c, v in line_cols.items()})
    stored["orders"]["is_purchase"] = np.isin(kind[frames["orders"][0]], (0, 3))
    stored["holdout_orders"]["is_purchase"] = np.isin(kind[frames["holdout_orders"][0]], (0, 3))
    ctx.event_order_id = id_of
    ctx.orders = stored["orders"]
    ctx.holdout_orders = stored["holdout_orders"]
    ctx.order_lines = obs_lines
    ctx.holdout_order_lines = ho_lines

    # ---- per-customer truths ----------------------------------------------------------------
    dropout_week = reg + dropout                               # inf = never dropped out
    n = len(cust)
    bi = np.searchsorted(cust.customer_id.to_numpy(), cust_id)
    drop_abs = np.full(n, np.inf); drop_abs[bi] = dropout_week
    registered = cust.registered_at.to_numpy().copy()
    registered[bi] = reg_time
    cust["registered_at"] = registered
    alive_end = drop_abs > w_obs
    alive_ho = drop_abs > w_total
    age = w_obs - cust.reg_weeks.to_numpy()
    prospect = cust.is_prospect.to_numpy()
    stage = np.select(
        [prospect, ~alive_end & (w_obs - drop_abs <= 26), ~alive_end, age < 13, age < 52],
        ["exploration", "decline", "termination", "exploration", "formation"], "stability").astype(object)
    churn_type = np.full(n, None, dtype=object)
    churn_type[bi] = ctx.buyer_churn_type
    drop_time = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    finite = np.isfinite(drop_abs)
    drop_time[finite] = ctx.weeks_to_time(drop_abs[finite])
    cust["alive_at_end"] = alive_end.astype(int)
    cust["alive_at_holdout_end"] = alive_ho.astype(int)
    cust["dropout_at"] = drop_time
    cust["stage"] = stage
    cust["churn_type"] = churn_type
    cust["mean_spend"] = cfg.spend_p / cust.spend_nu.to_numpy()

    # customer category (客户类别) by the last 12 months' paid amount: top 20 % of spenders important
    o = ctx.orders
    recent = o.loc[o.is_purchase & o.status.ne("returned")
                   & (o.ordered_at >= pd.Timestamp(cfg.t_end) - pd.Timedelta(days=365))]
    spend = recent.groupby("customer_id").amount.sum().reindex(cust.customer_id, fill_value=0.0).to_numpy()
    positive = spend[spend > 0]
    threshold = float(np.quantile(positive, 0.8)) if len(positive) else 0.0
    if ctx.category_threshold is not None:          # a later block of a large build: block 0's rule
        threshold = ctx.category_threshold
    ctx.category_threshold = threshold
    category = np.where(spend <= 0, 3, np.where(spend >= threshold, 1, 2))
    cust["category_id"] = category
    ctx.important_threshold = round(threshold, 2)

    ctx.truth["purchase"] = {
        "model": "BG/NBD", "time_unit": "week",
        "r": cfg.bgnbd_r, "alpha": cfg.bgnbd_alpha, "a": cfg.bgnbd_a, "b": cfg.bgnbd_b,
        "observation_start": cfg.observation_start, "observation_end": cfg.observation_end,
        "holdout_end": cfg.holdout_end,
        "purchase_statuses": PURCHASE_STATUSES,
        "non_purchase_statuses": ["placed", "cancelled"],
        "first_purchase": "at registration (customers.registered_at); prospects never buy",
        "attitude_dropout_corr": cfg.attitude_dropout_corr,
        "counts": truth_counts,
    }
    ctx.truth["spend"] = {"model": "Gamma-Gamma", "p": cfg.spend_p, "q": cfg.spend_q, "gamma": cfg.spend_gamma,
                          "mean_order_value": cfg.spend_p * cfg.spend_gamma / (cfg.spend_q - 1),
                          "applies_to": "orders.amount of purchase orders (paid amount, yuan)"}
    ctx.truth["lifecycle"] = {
        "stages": {k: {"seed_002": v[0], "seed_000": v[1]} for k, v in STAGES.items()},
        "rule": "prospect → exploration; dropped out within the last 26 weeks → decline; dropped out earlier "
                "→ termination; alive and registered < 13 weeks → exploration; < 52 weeks → formation; "
                "else stability (at observation_end)",
    }
    ctx.truth["churn"] = {"types": CHURN_TYPES,
                          "rule": "drawn for customers who drop out before holdout_end: weights natural 0.25, "
                                  "competitive 0.35·exp(0.8·price_sensitivity), malicious 0.10, "
                                  "negligent 0.30·exp(−0.8·attitude)",
                          "traces": {"malicious": "a final order placed 0.5–3 days after dropping out, never paid",
                                     "competitive": "a coupon on at least 80% of orders (on average)",
                                     "negligent": "a complaint about the last purchase, then no more orders "
                                                  "(service domain)",
                                     "natural": "no trace: the customer simply stops"}}
    ctx.truth["credit"] = {"consumer": "pay within 30 minutes of ordering; due 24 h after the order",
                           "business": "due after payment_terms_days; late with probability credit_risk, "
                                       "lateness ~ Exponential(mean late_payment_days_mean days)",
                           "late_payment_days_mean": cfg.late_payment_days_mean}
    ctx.truth["categories"] = {"rule": "last 365 days' paid purchase amount: ≥ 80th percentile of spenders "
                                       "→ important; > 0 → ordinary; none → potential",
                               "important_min_annual_spend": ctx.important_threshold}
