"""The service domain (服务数据): tickets, contact records, care and follow-up tasks, automation rules.

Planted truths (``truth.params["service"]``):

* complaints get a first response within 24 h except a planted share ``breach_prob`` (an SLA
  breach); inquiries have 48 h and feedback 72 h, breached with ``breach_prob / 2``;
* each complaint has a root cause drawn with the planted shares ``root_cause_shares``;
* satisfaction (1–5) after a resolved ticket is lower when the SLA was breached;
* a delivered order gets a return visit (回访) with probability ``return_visit_prob``;
* follow-up tasks are completed on time with probability ``task_done_prob``; care tasks carry an
  effect score (关怀效果评价).

Event-triggered rules are written but not run: running them (``crm.run_automation``) is a lab task.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.simulate.context import SimContext

HOUR = np.timedelta64(3600, "s")
DAY = 24 * HOUR
RESPONSE_HOURS = {"complaint": 24, "inquiry": 48, "feedback": 72}
KIND_SHARES = {"complaint": 0.5, "inquiry": 0.35, "feedback": 0.15}
TICKETS_PER_ORDER = 0.06
BREACH_PROB = 0.12
RETURN_VISIT_PROB = 0.4
TASK_DONE_PROB = 0.8
SATISFACTION_MEAN = {"met": 4.1, "breached": 2.6}

# root cause -> (ticket category, share among complaints, English subject, 中文主题)
ROOT_CAUSES = {
    "late_delivery": ("logistics", 0.25, "Parcel arrived late", "快递延误"),
    "damaged_parcel": ("logistics", 0.10, "Parcel damaged in transit", "包裹破损"),
    "product_defect": ("product_quality", 0.20, "Product does not work", "产品质量问题"),
    "wrong_item": ("product_quality", 0.10, "Wrong item delivered", "发错货"),
    "rude_staff": ("service_attitude", 0.10, "Unfriendly customer service", "客服态度差"),
    "overcharge": ("billing", 0.10, "Charged twice", "重复扣款"),
    "refund_delay": ("after_sales", 0.15, "Refund not received", "退款未到账"),
}
INQUIRY_SUBJECTS = [("Delivery time?", "什么时候发货?"), ("How to use the product?", "产品怎么使用?"),
                    ("Invoice request", "申请开发票"), ("Membership points", "会员积分查询")]
FEEDBACK_SUBJECTS = [("Suggestion for the app", "对 App 的建议"), ("Praise for the courier", "表扬快递员"),
                     ("Packaging could be greener", "包装建议")]
TICKET_CHANNELS = (["phone", "wechat", "chat", "email", "sms", "visit"], [0.35, 0.2, 0.2, 0.15, 0.05, 0.05])
INTERACTION_CHANNELS = (["phone", "wechat", "email", "sms", "chat", "visit"], [0.35, 0.25, 0.15, 0.1, 0.1, 0.05])
SUBJECTS = {
    "follow_up": ("Follow-up call", "跟进联系"), "return_visit": ("Return visit after delivery", "售后回访"),
    "care": ("Customer care", "客户关怀"), "sales": ("Product recommendation", "产品推荐"),
    "other": ("General contact", "日常沟通"), "complaint": ("Complaint handling", "投诉处理"),
}
CARE_TITLES = [("Birthday greeting", "生日祝福"), ("Holiday greeting", "节日问候"),
               ("Usage tips after purchase", "使用指导"), ("Loyalty gift", "老客户回馈礼品")]


def _ts(values) -> np.ndarray:
    return np.asarray(values, dtype="datetime64[s]")


def _pick_text(pairs, idx, zh: bool) -> np.ndarray:
    return np.array([pairs[i][1 if zh else 0] for i in idx], dtype=object)


def generate(ctx: SimContext) -> None:
    rng = ctx.rng("service")
    cfg = ctx.config
    zh = bool(getattr(ctx.people, "zh", cfg.locale.startswith("zh")))
    now = _ts(ctx.now)
    t_start = _ts(cfg.t_start)
    cust = ctx.customers
    users = ctx.users
    agents = users.loc[users.role_code == "service_agent", "user_id"].to_numpy()
    owner_of = pd.Series(cust.owner_user_id.to_numpy(), index=cust.customer_id.to_numpy())

    orders = ctx.orders
    if "is_purchase" in orders:
        orders = orders.loc[orders.is_purchase.astype(bool)]
    orders = orders.loc[orders.status.isin(["paid", "shipped", "delivered", "returned"])]

    # ---------------------------------------------------------------- tickets
    n_t = int(rng.binomial(len(orders), TICKETS_PER_ORDER)) if len(orders) else 0
    pick = np.sort(rng.choice(len(orders), size=n_t, replace=False)) if n_t else np.array([], int)
    kinds = np.array(list(KIND_SHARES), dtype=object)[rng.choice(3, size=n_t, p=list(KIND_SHARES.values()))]
    # planted trace of negligent churn (过失流失): these customers complained about their last purchase
    # before the observation date, then never bought again
    if "churn_type" in cust:
        gone = cust.loc[(cust.churn_type == "negligent") & (pd.to_datetime(cust.dropout_at) < pd.Timestamp(ctx.now)),
                        "customer_id"]
        pos = pd.Series(np.arange(len(orders)), index=orders.index)
        last = orders.loc[orders.customer_id.isin(gone)].groupby("customer_id").ordered_at.idxmax()
        forced = np.sort(pos.loc[last.to_numpy()].to_numpy())
        kind_of = dict(zip(pick.tolist(), kinds.tolist()))
        kind_of.update({int(i): "complaint" for i in forced})
        pick = np.array(sorted(kind_of), dtype=int)
        kinds = np.array([kind_of[i] for i in pick.tolist()], dtype=object)
        n_t = len(pick)
    t_orders = orders.iloc[pick]
    base = _ts(t_orders.ordered_at.to_numpy())
    opened = base + (rng.exponential(5 * 24, n_t) * 3600).astype(np.int64).astype("timedelta64[s]") + HOUR
    keep = opened < now - HOUR
    t_orders, kinds, opened = t_orders[keep], kinds[keep], opened[keep]
    n_t = len(kinds)
    due_h = np.array([RESPONSE_HOURS[k] for k in kinds])
    due = opened + (due_h * 3600).astype("timedelta64[s]")
    is_c = kinds == "complaint"
    breach_p = np.where(is_c, BREACH_PROB, BREACH_PROB / 2)
    breach = rng.random(n_t) < breach_p
    ok_delay_h = np.minimum(rng.lognormal(np.log(4.0), 0.8, n_t), due_h - 0.25)
    late_delay_h = due_h + rng.uniform(1, 72, n_t)
    delay_h = np.where(breach, late_delay_h, ok_delay_h)
    first_resp = opened + (delay_h * 3600).astype(np.int64).astype("timedelta64[s]")
    responded = first_resp <= now
    resolve = first_resp + (rng.exponential(48, n_t) * 3600).astype(np.int64).astype("timedelta64[s]")
    resolved = responded & (resolve <= now)
    closed = resolved & (rng.random(n_t) < 0.7)
    status = np.where(closed, "closed", np.where(resolved, "resolved", np.where(responded, "in_progress", "open")))

    causes = list(ROOT_CAUSES)
    cause_p = np.array([ROOT_CAUSES[c][1] for c in causes])
    cause_idx = rng.choice(len(causes), size=n_t, p=cause_p / cause_p.sum())
    root = np.array(causes, dtype=object)[cause_idx]
    category = np.array([ROOT_CAUSES[c][0] for c in root], dtype=object)
    subject = np.array([ROOT_CAUSES[c][3 if zh else 2] for c in root], dtype=object)
    inq = kinds == "inquiry"
    fb = kinds == "feedback"
    subject[inq] = _pick_text(INQUIRY_SUBJECTS, rng.integers(0, len(INQUIRY_SUBJECTS), inq.sum()), zh)
    subject[fb] = _pick_text(FEEDBACK_SUBJECTS, rng.integers(0, len(FEEDBACK_SUBJECTS), fb.sum()), zh)
    category[inq | fb] = "other"
    root_cause = np.where(is_c & resolved, root, None).astype(object)
    sat_mean = np.where(breach, SATISFACTION_MEAN["breached"], SATISFACTION_MEAN["met"])
    sat = np.clip(np.round(rng.normal(sat_mean, 0.8)), 1, 5)
    satisfaction = pd.array(np.where(resolved, sat, np.nan), dtype="Int64")
    channel = np.array(TICKET_CHANNELS[0], dtype=object)[rng.choice(6, size=n_t, p=TICKET_CHANNELS[1])]
    priority = np.where(is_c & (rng.random(n_t) < 0.15), "high", "normal").astype(object)
    assigned = agents[rng.integers(0, len(agents), n_t)] if len(agents) else np.full(n_t, None)
    tid = np.arange(1, n_t + 1)
    nat = np.datetime64("NaT", "s")
    ctx.write("tickets", {
        "ticket_id": tid, "ticket_no": np.char.add("T", np.char.zfill(tid.astype(str), 6)).astype(object),
        "customer_id": t_orders.customer_id.to_numpy(), "order_id": t_orders.order_id.to_numpy(),
        "kind": kinds, "category": category, "channel": channel, "priority": priority, "status": status,
        "subject": subject, "description": subject, "root_cause": root_cause, "assigned_user_id": assigned,
        "opened_at": opened, "response_due_at": due,
        "first_response_at": np.where(responded, first_resp, nat),
        "resolved_at": np.where(resolved, resolve, nat),
        "resolution": np.where(resolved, "处理完毕" if zh else "Resolved", None).astype(object),
        "satisfaction": satisfaction,
    })

    # ---------------------------------------------------------------- tasks and interactions
    task_cols: dict[str, list] = {k: [] for k in ("kind", "customer_id", "ticket_id", "order_id", "assigned_user_id",
                                                   "created_by", "title", "due_at", "status", "completed_at",
                                                   "outcome", "effect_score", "created_at")}
    inter_cols: dict[str, list] = {k: [] for k in ("customer_id", "user_id", "channel", "direction", "kind",
                                                    "occurred_at", "duration_minutes", "subject", "outcome",
                                                    "next_follow_up_at", "ticket_id", "task_id")}

    def add_tasks(**cols):
        n = len(cols["customer_id"])
        for k in task_cols:
            v = cols.get(k)
            task_cols[k].append(np.asarray(v, dtype=object) if v is not None else np.full(n, None, dtype=object))

    def add_inter(**cols):
        n = len(cols["customer_id"])
        for k in inter_cols:
            v = cols.get(k)
            inter_cols[k].append(np.asarray(v, dtype=object) if v is not None else np.full(n, None, dtype=object))

    def minutes(n):
        return np.clip(np.round(rng.gamma(2.0, 6.0, n)), 1, 120).astype(int)

    def chan(n):
        return np.array(INTERACTION_CHANNELS[0], dtype=object)[rng.choice(6, size=n, p=INTERACTION_CHANNELS[1])]

    # complaint-response tasks (one per complaint, done at the first response) + contact records
    c_idx = np.flatnonzero(is_c)
    n_task = 0
    add_tasks(kind=np.full(len(c_idx), "complaint_response"), customer_id=t_orders.customer_id.to_numpy()[c_idx],
              ticket_id=tid[c_idx], order_id=t_orders.order_id.to_numpy()[c_idx],
              assigned_user_id=assigned[c_idx], created_by=assigned[c_idx],
              title=np.char.add("投诉回复 " if zh else "Reply to complaint ", tid[c_idx].astype(str)),
              due_at=due[c_idx], status=np.where(responded[c_idx], "done", "open"),
              completed_at=np.where(responded[c_idx], first_resp[c_idx], nat), created_at=opened[c_idx])
    complaint_task_ids = np.arange(1, len(c_idx) + 1)
    n_task += len(c_idx)
    r_idx = np.flatnonzero(responded)
    task_link = np.full(n_t, None, dtype=object)
    task_link[c_idx] = complaint_task_ids
    add_inter(customer_id=t_orders.customer_id.to_numpy()[r_idx], user_id=assigned[r_idx],
              channel=np.array([c if c in INTERACTION_CHANNELS[0] else "phone" for c in channel[r_idx]], dtype=object),
              direction=np.full(len(r_idx), "outbound"),
              kind=np.where(is_c[r_idx], "complaint", "other"), occurred_at=first_resp[r_idx],
              duration_minutes=minutes(len(r_idx)), subject=subject[r_idx], ticket_id=tid[r_idx],
              task_id=task_link[r_idx])

    # return visits after delivered orders (回访): task + contact record
    deliv = orders.loc[orders.status == "delivered"]
    d_at = _ts(deliv.delivered_at.to_numpy()) if "delivered_at" in deliv else _ts(deliv.ordered_at.to_numpy()) + 3 * DAY
    visit_due = d_at + 7 * DAY
    rv = (rng.random(len(deliv)) < RETURN_VISIT_PROB) & (visit_due < now)
    rv_idx = np.flatnonzero(rv)
    rv_cust = deliv.customer_id.to_numpy()[rv_idx]
    rv_agent = agents[rng.integers(0, len(agents), len(rv_idx))] if len(agents) else np.full(len(rv_idx), None)
    rv_done = d_at[rv_idx] + (rng.uniform(2, 7, len(rv_idx)) * 86400).astype(np.int64).astype("timedelta64[s]")
    add_tasks(kind=np.full(len(rv_idx), "return_visit"), customer_id=rv_cust,
              order_id=deliv.order_id.to_numpy()[rv_idx], assigned_user_id=rv_agent, created_by=rv_agent,
              title=np.full(len(rv_idx), SUBJECTS["return_visit"][1 if zh else 0]), due_at=visit_due[rv_idx],
              status=np.full(len(rv_idx), "done"), completed_at=rv_done, created_at=d_at[rv_idx])
    rv_task_ids = np.arange(n_task + 1, n_task + len(rv_idx) + 1)
    n_task += len(rv_idx)
    add_inter(customer_id=rv_cust, user_id=rv_agent, channel=chan(len(rv_idx)),
              direction=np.full(len(rv_idx), "outbound"), kind=np.full(len(rv_idx), "return_visit"),
              occurred_at=rv_done, duration_minutes=minutes(len(rv_idx)),
              subject=np.full(len(rv_idx), SUBJECTS["return_visit"][1 if zh else 0]), task_id=rv_task_ids)

    # sales follow-ups by the owner: Poisson(1.2) per customer over their time with us
    k = rng.poisson(1.2, len(cust))
    f_cust = np.repeat(cust.customer_id.to_numpy(), k)
    reg = np.maximum(_ts(np.repeat(cust.registered_at.to_numpy(), k)), t_start)
    span = np.maximum((now - reg).astype(np.int64), 3600)
    occurred = reg + (rng.random(len(f_cust)) * span).astype(np.int64).astype("timedelta64[s]")
    f_kind = np.array(["follow_up", "sales", "other"], dtype=object)[rng.choice(3, size=len(f_cust), p=[0.6, 0.3, 0.1])]
    wants = (f_kind == "follow_up") & (rng.random(len(f_cust)) < 0.5)
    nxt = occurred + np.where(rng.random(len(f_cust)) < 0.5, 7, 14) * DAY
    f_owner = owner_of.reindex(f_cust).to_numpy()
    w_idx = np.flatnonzero(wants)
    done = rng.random(len(w_idx)) < TASK_DONE_PROB
    done &= nxt[w_idx] <= now
    fu_task_ids = np.arange(n_task + 1, n_task + len(w_idx) + 1)
    n_task += len(w_idx)
    add_tasks(kind=np.full(len(w_idx), "follow_up"), customer_id=f_cust[w_idx], assigned_user_id=f_owner[w_idx],
              created_by=f_owner[w_idx], title=np.full(len(w_idx), SUBJECTS["follow_up"][1 if zh else 0]),
              due_at=nxt[w_idx], status=np.where(done, "done", "open"),
              completed_at=np.where(done, nxt[w_idx] - HOUR, nat), created_at=occurred[w_idx])
    fu_link = np.full(len(f_cust), None, dtype=object)
    add_inter(customer_id=f_cust, user_id=f_owner, channel=chan(len(f_cust)),
              direction=np.where(rng.random(len(f_cust)) < 0.8, "outbound", "inbound"), kind=f_kind,
              occurred_at=occurred, duration_minutes=minutes(len(f_cust)),
              subject=np.array([SUBJECTS[x][1 if zh else 0] for x in f_kind], dtype=object),
              next_follow_up_at=np.where(wants, nxt, nat), task_id=fu_link)

    # care tasks (客户关怀) for a share of buyers, with an effect evaluation when done
    buyers = np.unique(orders.customer_id.to_numpy())
    n_care = int(round(0.1 * len(buyers)))
    care_cust = rng.choice(buyers, size=n_care, replace=False) if n_care else np.array([], int)
    care_due = t_start + (rng.random(n_care) * (now - t_start).astype(np.int64)).astype(np.int64).astype("timedelta64[s]")
    care_done = rng.random(n_care) < TASK_DONE_PROB
    effect = np.clip(np.round(rng.normal(3.8, 0.9, n_care)), 1, 5)
    add_tasks(kind=np.full(n_care, "care"), customer_id=care_cust, assigned_user_id=owner_of.reindex(care_cust).to_numpy(),
              created_by=owner_of.reindex(care_cust).to_numpy(),
              title=_pick_text(CARE_TITLES, rng.integers(0, len(CARE_TITLES), n_care), zh), due_at=care_due,
              status=np.where(care_done, "done", "open"), completed_at=np.where(care_done, care_due, nat),
              effect_score=pd.array(np.where(care_done, effect, np.nan), dtype="Int64").astype(object),
              created_at=care_due - 3 * DAY)
    n_task += n_care

    tasks = {k: np.concatenate(v) if v else np.array([], dtype=object) for k, v in task_cols.items()}
    for col in ("due_at", "completed_at", "created_at"):
        tasks[col] = _ts(pd.to_datetime(pd.Series(tasks[col]), errors="coerce").to_numpy())
    tasks["created_at"] = np.minimum(tasks["created_at"], tasks["due_at"])
    for col in ("effect_score", "ticket_id", "order_id", "assigned_user_id", "created_by"):
        # None / NA / NaN → missing, vectorised (ids and scores are far below 2**53)
        tasks[col] = pd.array(pd.to_numeric(pd.Series(tasks[col], dtype=object), errors="coerce"), dtype="Int64")
    tasks["task_id"] = np.arange(1, len(tasks["kind"]) + 1)
    ctx.write("tasks", tasks)

    inter = {k: np.concatenate(v) if v else np.array([], dtype=object) for k, v in inter_cols.items()}
    for col in ("occurred_at", "next_follow_up_at"):
        inter[col] = _ts(pd.to_datetime(pd.Series(inter[col]), errors="coerce").to_numpy())
    order = np.argsort(inter["occurred_at"], kind="stable")
    inter = {k: v[order] for k, v in inter.items()}
    for col in ("ticket_id", "task_id", "user_id", "duration_minutes"):
        inter[col] = pd.array(pd.to_numeric(pd.Series(inter[col], dtype=object), errors="coerce"), dtype="Int64")
    inter["interaction_id"] = np.arange(1, len(inter["kind"]) + 1)
    inter["created_at"] = inter["occurred_at"]
    ctx.write("interactions", inter)

    # ---------------------------------------------------------------- automation rules (not yet run)
    ctx.write("automation_rules", {
        "rule_id": [1, 2, 3], "code": ["UNPAID_24H", "RECOMMEND_30D", "WINBACK_180D"],
        "name": ["未付款订单提醒" if zh else "Unpaid-order reminder",
                 "购买后30天推荐" if zh else "Recommendation 30 days after purchase",
                 "沉睡客户唤回" if zh else "Win back lapsed customers"],
        "trigger": ["unpaid_order", "after_purchase", "lapsed"], "delay_hours": [24, 720, 4320],
        "action": ["create_task"] * 3, "task_kind": ["payment_reminder", "recommendation", "win_back"],
        "is_active": [1, 1, 1],
    })

    c_resp = first_resp[is_c]
    c_breached = (responded[is_c] & (c_resp > due[is_c])) | (~responded[is_c] & (due[is_c] < now))
    resolved_c = is_c & resolved
    ctx.truth["service"] = {
        "response_hours": RESPONSE_HOURS,
        "breach_prob": {"complaint": BREACH_PROB, "inquiry": BREACH_PROB / 2, "feedback": BREACH_PROB / 2},
        "tickets_per_order": TICKETS_PER_ORDER,
        "kind_shares": KIND_SHARES,
        "root_cause_shares": {c: ROOT_CAUSES[c][1] for c in causes},
        "root_cause_category": {c: ROOT_CAUSES[c][0] for c in causes},
        "satisfaction_mean": SATISFACTION_MEAN,
        "return_visit_prob": RETURN_VISIT_PROB,
        "task_done_prob": TASK_DONE_PROB,
        "n_tickets": int(n_t), "n_complaints": int(is_c.sum()),
        "n_complaint_breaches": int(c_breached.sum()),
        "root_cause_counts": {c: int(((root == c) & resolved_c).sum()) for c in causes},
        "automation_rules": {"UNPAID_24H": 24, "RECOMMEND_30D": 720, "WINBACK_180D": 4320},
    }


__all__ = ["generate"]
