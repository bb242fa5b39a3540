"""CRM workflows on top of the collections: SLAs, follow-ups, grading, triggers, campaigns, funnel, analysis.

Each function takes the :class:`~crmlab.ops.crm.CRM` first and is also a method of it
(``crm.complaint_sla(as_of=...)`` is ``complaint_sla(crm, as_of=...)``). Reads respect the user's
read scope; writes go through the collections, so they are validated, permission-checked and audited.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa

from crmlab.db import schema
from crmlab.ops import audit
from crmlab.ops.fields import fail, to_enum, to_float, to_int, to_timestamp

PAID = ("paid", "shipped", "delivered")
SLA_STATES = ("met", "breached", "breached_open", "pending")


def _as_of(crm, as_of) -> dt.datetime:
    return crm.now if as_of is None else to_timestamp("as_of", as_of)


def _frame(crm, query) -> pd.DataFrame:
    def work(conn):
        res = conn.execute(query)
        return pd.DataFrame(res.fetchall(), columns=list(res.keys()))
    return crm.read(work)


def _orders(crm, columns=("order_id", "order_no", "customer_id", "campaign_id", "status", "ordered_at", "paid_at",
                          "delivered_at", "amount", "cost", "n_items")) -> pd.DataFrame:
    """Orders of the customers in this user's read scope."""
    scope = crm.require("orders", "read")
    o = schema.orders
    q = sa.select(*[o.c[c] for c in columns])
    if scope != "all":
        q = q.where(o.c.customer_id.in_(sa.select(schema.customers.c.customer_id)
                                        .where(crm.customers._scope_clause(scope))))
    df = _frame(crm, q)
    for c in ("ordered_at", "paid_at", "delivered_at"):
        if c in df:
            df[c] = pd.to_datetime(df[c])
    for c in ("amount", "cost"):
        if c in df:
            df[c] = df[c].astype(float)
    return df


# ====================================================================================== complaints
def complaint_sla(crm, as_of=None, kind: str | None = "complaint") -> pd.DataFrame:
    """First-response SLA state of every ticket (投诉24小时内回复) as of a time.

    ``sla_state``: *met* (answered by ``response_due_at``), *breached* (answered late),
    *breached_open* (not answered and already past due at ``as_of``), *pending* (not answered, still
    within the time). ``response_due_at`` is ``opened_at`` + 24 h for complaints.
    Tickets opened after ``as_of`` are left out; a response after ``as_of`` counts as not yet given.
    """
    at = pd.Timestamp(_as_of(crm, as_of))
    df = crm.tickets.to_frame(kind=kind) if kind else crm.tickets.to_frame()
    df = df.loc[df.opened_at <= at].copy()
    resp = df.first_response_at.where(df.first_response_at <= at)
    df["sla_state"] = np.select(
        [resp.notna() & (resp <= df.response_due_at), resp.notna(), at > df.response_due_at],
        ["met", "breached", "breached_open"], "pending")
    df["hours_to_first_response"] = (resp - df.opened_at).dt.total_seconds() / 3600
    df["hours_left"] = np.where(resp.isna(), (df.response_due_at - at).dt.total_seconds() / 3600, np.nan)
    cols = ["ticket_id", "ticket_no", "customer_id", "customer_name", "kind", "category", "channel", "priority",
            "status", "opened_at", "response_due_at", "first_response_at", "hours_to_first_response",
            "hours_left", "sla_state", "root_cause", "assigned_user_id", "owner"]
    return df[[c for c in cols if c in df]].reset_index(drop=True)


def sla_breaches(crm, as_of=None, kind: str | None = "complaint") -> pd.DataFrame:
    """The tickets whose first response was late or is overdue at ``as_of``."""
    df = complaint_sla(crm, as_of, kind)
    return df.loc[df.sla_state.isin(["breached", "breached_open"])].reset_index(drop=True)


def sla_summary(crm, as_of=None, kind: str | None = "complaint") -> pd.Series:
    """Counts per SLA state and the breach rate = (breached + breached_open) / (all but pending)."""
    df = complaint_sla(crm, as_of, kind)
    counts = df.sla_state.value_counts().reindex(SLA_STATES, fill_value=0)
    decided = counts.sum() - counts["pending"]
    out = counts.astype(float)
    out["breach_rate"] = (counts["breached"] + counts["breached_open"]) / decided if decided else np.nan
    return out


def complaint_queue(crm, as_of=None) -> pd.DataFrame:
    """Open tickets (not resolved/closed), most urgent first, with their SLA state."""
    df = complaint_sla(crm, as_of, kind=None)
    df = df.loc[df.status.isin(["open", "in_progress"])]
    return df.sort_values(["first_response_at", "response_due_at"], na_position="first").reset_index(drop=True)


def root_causes(crm, since=None, until=None) -> pd.DataFrame:
    """Root-cause statistics of resolved complaints (投诉原因分析): count and share per cause."""
    df = crm.tickets.to_frame(kind="complaint")
    df = df.loc[df.root_cause.notna()]
    if since is not None:
        df = df.loc[df.opened_at >= pd.Timestamp(to_timestamp("since", since))]
    if until is not None:
        df = df.loc[df.opened_at < pd.Timestamp(to_timestamp("until", until))]
    out = df.groupby(["root_cause", "category"]).size().rename("n").reset_index()
    out["share"] = out.n / out.n.sum() if len(out) else []
    return out.sort_values(["n", "root_cause"], ascending=[False, True]).reset_index(drop=True)


def ticket_stats(crm, by: str = "category") -> pd.DataFrame:
    """Feedback statistics (反馈统计): tickets, mean satisfaction and resolution hours per ``by``."""
    if by not in ("category", "channel", "kind", "priority", "status", "root_cause"):
        fail("by", "ops.bad_enum", options="category, channel, kind, priority, status, root_cause", value=by)
    df = crm.tickets.to_frame()
    df["resolution_hours"] = (df.resolved_at - df.opened_at).dt.total_seconds() / 3600
    g = df.groupby(by)
    return pd.DataFrame({"tickets": g.size(), "mean_satisfaction": g.satisfaction.mean(),
                         "mean_resolution_hours": g.resolution_hours.mean()}).reset_index()


# ====================================================================================== follow-ups
def schedule_follow_up(crm, customer, days: float = 7, *, kind: str = "follow_up", title: str | None = None,
                       contact=None, assigned_to=None) -> int:
    """A follow-up or return-visit task (跟进 / 回访) due ``days`` after now; returns the task id."""
    days = to_float("days", days, 0, 3650)
    kind = to_enum("kind", kind, ("follow_up", "return_visit", "care", "complaint_response", "payment_reminder",
                                  "win_back", "recommendation"))
    values = {"kind": kind, "customer_id": customer, "due_at": crm.now + dt.timedelta(days=days),
              "title": title or {"follow_up": "跟进 follow-up", "return_visit": "回访 return visit",
                                 "care": "客户关怀 care"}.get(kind, kind)}
    if contact is not None:
        values["contact_id"] = contact
    if assigned_to is not None:
        values["assigned_user_id"] = assigned_to
    return crm.tasks.add(values)


def follow_ups_due(crm, as_of=None, within_days: float = 0, kinds=("follow_up", "return_visit", "care")) -> pd.DataFrame:
    """Open tasks due by ``as_of`` + ``within_days``, with ``overdue`` flagged (待办与逾期)."""
    at = pd.Timestamp(_as_of(crm, as_of))
    df = crm.tasks.to_frame(status="open")
    df = df.loc[df.kind.isin(list(kinds)) & (df.due_at <= at + pd.Timedelta(days=float(within_days)))].copy()
    df["overdue"] = df.due_at < at
    return df.sort_values("due_at").reset_index(drop=True)


def return_visit_rate(crm, since=None, until=None, within_days: int = 14) -> float:
    """回访率: share of delivered orders followed by a return-visit contact record within ``within_days``."""
    orders = _orders(crm)
    d = orders.loc[(orders.status == "delivered") & orders.delivered_at.notna()]
    if since is not None:
        d = d.loc[d.delivered_at >= pd.Timestamp(to_timestamp("since", since))]
    until_ts = pd.Timestamp(_as_of(crm, until))
    d = d.loc[d.delivered_at + pd.Timedelta(days=within_days) <= until_ts]
    if d.empty:
        return float("nan")
    visits = crm.interactions.to_frame(kind="return_visit")[["customer_id", "occurred_at"]]
    m = d[["order_id", "customer_id", "delivered_at"]].merge(visits, on="customer_id", how="left")
    hit = (m.occurred_at >= m.delivered_at) & (m.occurred_at <= m.delivered_at + pd.Timedelta(days=within_days))
    visited = m.loc[hit, "order_id"].nunique()
    return visited / len(d)


def dormant_customers(crm, as_of=None, days: int = 180) -> pd.DataFrame:
    """沉睡客户: customers whose last paid purchase is more than ``days`` before ``as_of``."""
    at = pd.Timestamp(_as_of(crm, as_of))
    days = to_int("days", days, lo=1)
    o = _orders(crm)
    o = o.loc[o.status.isin(PAID) & o.paid_at.notna() & (o.paid_at <= at)]
    last = o.groupby("customer_id").agg(last_paid_at=("paid_at", "max"), last_order_id=("order_id", "max"),
                                        orders=("order_id", "size"), revenue=("amount", "sum")).reset_index()
    last["days_since"] = (at - last.last_paid_at).dt.total_seconds() / 86400
    out = last.loc[last.days_since > days]
    cust = crm.customers.to_frame()[["customer_id", "customer_code", "name", "category", "owner", "marketing_opt_in"]]
    return cust.merge(out, on="customer_id").sort_values("days_since", ascending=False).reset_index(drop=True)


# ====================================================================================== categories
def regrade(crm, as_of=None, *, important_min: float | None = None, ordinary_min: float | None = None,
            months: int = 12, apply: bool = False) -> pd.DataFrame:
    """Customer categories re-graded by rule (客户分类调整), from spend in the last ``months``.

    Rule: no paid purchase ever → *potential* (潜在); spend ≥ ``important_min`` → *important*
    (重要/重点); otherwise → *ordinary* (一般/基础). Thresholds default to the categories'
    ``min_annual_spend``; when the important threshold is not set there, the top 20 % of buyers by
    spend are important (the 80/20 rule of the customer pyramid). With ``apply=True`` the changes
    are written (audited) and the returned frame says which were changed.
    """
    at = pd.Timestamp(_as_of(crm, as_of))
    months = to_int("months", months, lo=1, hi=120)
    cats = _frame(crm, sa.select(schema.customer_categories.c.code, schema.customer_categories.c.min_annual_spend))
    mins = dict(zip(cats.code, cats.min_annual_spend))
    o = _orders(crm)
    o = o.loc[o.status.isin(PAID) & o.paid_at.notna() & (o.paid_at <= at)]
    ever = set(o.customer_id)
    recent = o.loc[o.paid_at > at - pd.DateOffset(months=months)].groupby("customer_id").amount.sum()
    cust = crm.customers.to_frame()[["customer_id", "customer_code", "name", "category"]]
    cust["spend"] = cust.customer_id.map(recent).fillna(0.0)
    if important_min is None:
        important_min = mins.get("important")
        if important_min is None or pd.isna(important_min):
            buyers = cust.loc[cust.customer_id.isin(ever), "spend"]
            important_min = float(np.quantile(buyers, 0.8)) if len(buyers) else np.inf
    important_min = to_float("important_min", important_min, lo=0)
    if ordinary_min is not None:
        ordinary_min = to_float("ordinary_min", ordinary_min, lo=0)
    cust["suggested"] = np.where(~cust.customer_id.isin(ever), "potential",
                                 np.where(cust.spend >= important_min, "important", "ordinary"))
    if ordinary_min is not None:
        cust.loc[(cust.suggested == "ordinary") & (cust.spend < ordinary_min), "suggested"] = "potential"
    cust["change"] = cust.suggested != cust.category
    cust.attrs["important_min"] = important_min
    if apply:
        changed = cust.loc[cust.change]
        ids = changed.customer_id.tolist()
        new = changed.suggested.tolist()

        def work(conn):
            txn = audit.new_txn()
            for cid, cat in zip(ids, new):
                crm.customers._update(conn, int(cid), {"category": cat}, txn=txn)
            return len(ids)

        crm.require("customers", "update")
        crm.run(work)
        cust["applied"] = cust.change
    return cust.reset_index(drop=True)


# ====================================================================================== automation
def _rules(crm) -> pd.DataFrame:
    return _frame(crm, sa.select(schema.automation_rules).where(schema.automation_rules.c.is_active == 1)
                  .order_by(schema.automation_rules.c.rule_id))


def automation_candidates(crm, as_of=None, *, window_days: float = 7) -> pd.DataFrame:
    """Events each active rule would fire on at ``as_of`` (before the once-per-event check).

    * ``unpaid_order`` (未付款提醒): orders still 'placed' whose ``ordered_at`` + delay fell due in
      the last ``window_days``; once per order.
    * ``after_purchase`` (购买后30天推荐): paid orders whose ``paid_at`` + delay (720 h = 30 days) fell
      in the last ``window_days``; once per order.
    * ``lapsed`` (流失唤回, by recency): opted-in active customers whose last paid purchase is more
      than the delay ago; once per last order (a customer who comes back and lapses again fires again).
    """
    at = pd.Timestamp(_as_of(crm, as_of))
    win = pd.Timedelta(days=to_float("window_days", window_days, 0, 36500))
    o = _orders(crm)
    cust = crm.customers.to_frame()[["customer_id", "customer_code", "owner_user_id", "marketing_opt_in", "status"]]
    out = []
    for rule in _rules(crm).itertuples():
        delay = pd.Timedelta(hours=int(rule.delay_hours))
        if rule.trigger == "unpaid_order":
            ev = o.loc[(o.status == "placed") & (o.ordered_at + delay <= at) & (o.ordered_at + delay > at - win)]
            keys = "order:" + ev.order_id.astype(str)
        elif rule.trigger == "after_purchase":
            ev = o.loc[o.status.isin(PAID) & o.paid_at.notna() & (o.paid_at + delay <= at)
                       & (o.paid_at + delay > at - win)]
            keys = "order:" + ev.order_id.astype(str)
        else:  # lapsed
            paid = o.loc[o.status.isin(PAID) & o.paid_at.notna() & (o.paid_at <= at)]
            last = paid.sort_values(["paid_at", "order_id"]).groupby("customer_id").tail(1)
            ev = last.loc[last.paid_at + delay <= at]
            ok = cust.loc[(cust.marketing_opt_in == 1) & (cust.status == "active"), "customer_id"]
            ev = ev.loc[ev.customer_id.isin(ok)]
            keys = "lapsed:" + ev.order_id.astype(str)
        out.append(pd.DataFrame({"rule_id": rule.rule_id, "rule": rule.code, "trigger": rule.trigger,
                                 "task_kind": rule.task_kind, "customer_id": ev.customer_id.to_numpy(),
                                 "order_id": ev.order_id.to_numpy(), "dedupe_key": keys.to_numpy()}))
    cols = ["rule_id", "rule", "trigger", "task_kind", "customer_id", "order_id", "dedupe_key"]
    df = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=cols)
    return df.merge(cust[["customer_id", "customer_code", "owner_user_id"]], on="customer_id", how="left")


def _insert_ignore(conn, table):
    """INSERT … ON CONFLICT DO NOTHING (waits for a concurrent writer of the same key, then skips)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()


def run_automation(crm, as_of=None, *, window_days: float = 7) -> pd.DataFrame:
    """Fire the event-triggered rules once per event (事件触发营销): for each new event create the
    rule's task (assigned to the customer's owner, due a day later) and an ``automation_runs`` row.

    Idempotent: ``UNIQUE(rule_id, customer_id, dedupe_key)`` means running again (or two users at
    once) never fires an event twice. Returns the runs created by this call.
    """
    at = _as_of(crm, as_of)
    crm.require("tasks", "create")
    cand = automation_candidates(crm, at, window_days=window_days)
    runs = schema.automation_runs

    def work(conn):
        done = set(map(tuple, pd.DataFrame(conn.execute(sa.select(runs.c.rule_id, runs.c.customer_id,
                                                                   runs.c.dedupe_key)).fetchall()).values.tolist()))
        fired = []
        txn = audit.new_txn()
        for ev in cand.itertuples():
            key = (int(ev.rule_id), int(ev.customer_id), ev.dedupe_key)
            if key in done:
                continue
            claim = _insert_ignore(conn, runs).values(rule_id=key[0], customer_id=key[1], dedupe_key=key[2],
                                                      fired_at=at).returning(runs.c.run_id)
            if conn.execute(claim).first() is None:   # another run fired this event first
                done.add(key)
                continue
            values = {"kind": ev.task_kind or "follow_up", "customer_id": int(ev.customer_id),
                      "title": f"{ev.rule} {ev.dedupe_key}", "due_at": at + dt.timedelta(days=1)}
            if ev.trigger != "lapsed":
                values["order_id"] = int(ev.order_id)
            if ev.owner_user_id is not None and not pd.isna(ev.owner_user_id):
                values["assigned_user_id"] = int(ev.owner_user_id)
            tid, _ = crm.tasks._insert(conn, values, "all", txn=txn)
            conn.execute(runs.update().where(runs.c.rule_id == key[0], runs.c.customer_id == key[1],
                                             runs.c.dedupe_key == key[2]).values(task_id=tid))
            done.add(key)
            fired.append({"rule": ev.rule, "customer_id": key[1], "dedupe_key": key[2], "task_id": tid})
        return pd.DataFrame(fired, columns=["rule", "customer_id", "dedupe_key", "task_id"])

    return crm.run(work)


# ====================================================================================== campaigns
def add_campaign_members(crm, campaign, customers, *, group: str = "treatment") -> int:
    """Target list (目标客户): add customers (ids or codes) to a campaign; returns how many were new."""
    group = to_enum("group", group, ("treatment", "control"))
    cid = crm.campaigns._id(campaign)
    crm.require("campaigns", "update")
    if isinstance(customers, (pd.Series, np.ndarray)):
        customers = customers.tolist()
    if isinstance(customers, (str, int)) or not hasattr(customers, "__iter__"):
        customers = [customers]
    cm = schema.campaign_members

    def work(conn):
        crm.campaigns._row(conn, cid)
        crm.campaigns._check_scope(conn, cid, "update")
        ids = [crm.customers._resolve_fk(conn, "merged_into_id", c) for c in customers]
        have = set(conn.execute(sa.select(cm.c.customer_id).where(cm.c.campaign_id == cid)).scalars())
        new = [i for i in dict.fromkeys(ids) if i not in have]
        if new:
            conn.execute(cm.insert(), [{"campaign_id": cid, "customer_id": i, "group": group, "responded": 0}
                                       for i in new])
            crm._audit(conn, "update", "campaigns", cid,
                       changes={f"members_{group}": (len(have), len(have) + len(new))})
        return len(new)

    return crm.run(work)


def select_targets(crm, *, category=None, city=None, min_orders: int | None = None, max_days_since: int | None = None,
                   min_days_since: int | None = None, opted_in: bool = True, as_of=None) -> pd.DataFrame:
    """Precision marketing (精准营销): customers chosen by category, city, purchase count and recency."""
    at = pd.Timestamp(_as_of(crm, as_of))
    cust = crm.customers.to_frame(**({"category": category} if category is not None else {}),
                                  **({"city": city} if city is not None else {}))
    o = _orders(crm)
    o = o.loc[o.status.isin(PAID) & o.paid_at.notna() & (o.paid_at <= at)]
    g = o.groupby("customer_id").agg(orders=("order_id", "size"), last_paid_at=("paid_at", "max"))
    cust = cust.merge(g, left_on="customer_id", right_index=True, how="left")
    cust["orders"] = cust.orders.fillna(0).astype(int)
    cust["days_since"] = (at - cust.last_paid_at).dt.total_seconds() / 86400
    if opted_in:
        cust = cust.loc[cust.marketing_opt_in == 1]
    if min_orders is not None:
        cust = cust.loc[cust.orders >= to_int("min_orders", min_orders, lo=0)]
    if max_days_since is not None:
        cust = cust.loc[cust.days_since <= to_int("max_days_since", max_days_since, lo=0)]
    if min_days_since is not None:
        cust = cust.loc[cust.days_since >= to_int("min_days_since", min_days_since, lo=0)]
    return cust.reset_index(drop=True)


def execute_campaign(crm, campaign, at=None) -> dict:
    """Run a campaign (执行): send to every unsent treatment member, set status 'active' and add
    ``cost_per_contact`` × contacts to ``actual_cost``. Returns what changed."""
    cid = crm.campaigns._id(campaign)
    when = _as_of(crm, at)
    crm.require("campaigns", "update")
    cm = schema.campaign_members

    def work(conn):
        row = crm.campaigns._row(conn, cid, lock=True)
        crm.campaigns._check_scope(conn, cid, "update")
        n = conn.execute(sa.update(cm).where(cm.c.campaign_id == cid, cm.c.group == "treatment",
                                             cm.c.sent_at.is_(None)).values(sent_at=when)).rowcount
        cost = float(row["actual_cost"] or 0) + n * float(row["cost_per_contact"] or 0)
        values = {"actual_cost": round(cost, 2)}
        if row["status"] == "planning":
            values["status"] = "active"
        changes = crm.campaigns._update(conn, cid, values, check_scope=False)
        return {"sent": n, **{k: v[1] for k, v in changes.items()}}

    return crm.run(work)


def campaign_roi(crm) -> pd.DataFrame:
    """Campaign results (营销效果评估): targets, contacts, responders, revenue, ROI.

    ROI % = (revenue − actual_cost) / actual_cost × 100, revenue = paid orders carrying the campaign.
    Response rates of treatment and control groups and their difference (uplift) come from
    ``campaign_members``.
    """
    camp = crm.campaigns.to_frame()
    members = _frame(crm, sa.select(schema.campaign_members))
    o = _orders(crm)
    rev = o.loc[o.status.isin(PAID) & o.campaign_id.notna()].groupby("campaign_id").amount.sum()
    rows = []
    for c in camp.itertuples():
        m = members.loc[members.campaign_id == c.campaign_id]
        t, k = m.loc[m.group == "treatment"], m.loc[m.group == "control"]
        revenue = float(rev.get(c.campaign_id, 0.0))
        cost = float(c.actual_cost or 0.0)
        rt = t.responded.mean() if len(t) else np.nan
        rc = k.responded.mean() if len(k) else np.nan
        rows.append({"code": c.code, "name": c.name, "kind": c.kind, "status": c.status, "budget": c.budget,
                     "actual_cost": cost, "targeted": len(t), "control": len(k),
                     "contacted": int(t.sent_at.notna().sum()), "opened": int(t.opened_at.notna().sum()),
                     "responders": int(t.responded.sum()), "revenue": revenue,
                     "roi_pct": (revenue - cost) / cost * 100 if cost > 0 else np.nan,
                     "response_treatment": rt, "response_control": rc, "uplift": rt - rc})
    return pd.DataFrame(rows)


# ====================================================================================== funnel
def funnel(crm) -> pd.DataFrame:
    """销售漏斗: open opportunities per stage with amount and weighted amount (× stage probability)."""
    st = _frame(crm, sa.select(schema.pipeline_stages).order_by(schema.pipeline_stages.c.seq))
    opp = crm.opportunities.to_frame()
    opp = opp.merge(st[["stage_id", "code", "probability"]].rename(columns={"code": "stage", "probability": "p_stage"}),
                    on="stage_id")
    opp["p"] = opp.probability.fillna(opp.p_stage).astype(float) / 100
    opp["weighted"] = opp.amount * opp.p
    g = opp.groupby("stage_id").agg(opportunities=("opportunity_id", "size"), amount=("amount", "sum"),
                                    weighted_amount=("weighted", "sum"))
    out = st[["stage_id", "seq", "code", "name_zh", "probability"]].merge(g, left_on="stage_id", right_index=True,
                                                                          how="left").fillna(0)
    out["opportunities"] = out.opportunities.astype(int)
    return out.rename(columns={"code": "stage"})


def stage_conversion(crm) -> pd.DataFrame:
    """Conversion per funnel stage from the stage history: reached(next) / reached(this)."""
    st = _frame(crm, sa.select(schema.pipeline_stages).order_by(schema.pipeline_stages.c.seq))
    opp_ids = crm.opportunities.to_frame()["opportunity_id"]
    h = _frame(crm, sa.select(schema.opportunity_stage_history))
    h = h.loc[h.opportunity_id.isin(opp_ids)]
    reached = h.groupby("to_stage_id").opportunity_id.nunique()
    out = st.loc[st.is_lost == 0, ["stage_id", "seq", "code", "name_zh"]].copy()
    out["reached"] = out.stage_id.map(reached).fillna(0).astype(int)
    out["conversion_to_next"] = out.reached.shift(-1) / out.reached.replace(0, np.nan)
    return out.rename(columns={"code": "stage"}).reset_index(drop=True)


def sales_forecast(crm) -> float:
    """Sales forecast (销售预测) = Σ amount × probability over open opportunities (yuan)."""
    f = funnel(crm)
    open_ids = _frame(crm, sa.select(schema.pipeline_stages.c.stage_id).where(
        schema.pipeline_stages.c.is_won == 0, schema.pipeline_stages.c.is_lost == 0)).stage_id
    return float(f.loc[f.stage_id.isin(open_ids), "weighted_amount"].sum())


# ====================================================================================== analysis
def consumption_analysis(crm, by: str = "month", as_of=None) -> pd.DataFrame:
    """消费分析: buyers, orders, revenue, AOV (客单价), orders per buyer, by month or by category.

    revenue = buyers × orders_per_buyer × AOV (the identity holds exactly in every row).
    """
    if by not in ("month", "category", "city"):
        fail("by", "ops.bad_enum", options="month, category, city", value=by)
    at = pd.Timestamp(_as_of(crm, as_of))
    o = _orders(crm)
    o = o.loc[o.status.isin(PAID) & o.paid_at.notna() & (o.paid_at <= at)]
    if by == "month":
        o = o.assign(month=o.paid_at.dt.strftime("%Y-%m"))
    else:
        cust = crm.customers.to_frame()[["customer_id", "category", "city"]]
        o = o.merge(cust, on="customer_id")
    g = o.groupby(by)
    out = pd.DataFrame({"buyers": g.customer_id.nunique(), "orders": g.size(), "revenue": g.amount.sum(),
                        "items": g.n_items.sum()})
    out["orders_per_buyer"] = out.orders / out.buyers
    out["aov"] = out.revenue / out.orders
    return out.reset_index()


def satisfaction_analysis(crm, by: str = "category") -> pd.DataFrame:
    """满意度分析 from service tickets: mean satisfaction (1–5), share satisfied (4–5), per ``by``."""
    df = crm.tickets.to_frame()
    df = df.loc[df.satisfaction.notna()]
    if by not in ("category", "channel", "kind", "month"):
        fail("by", "ops.bad_enum", options="category, channel, kind, month", value=by)
    if by == "month":
        df = df.assign(month=df.opened_at.dt.strftime("%Y-%m"))
    g = df.groupby(by).satisfaction
    return pd.DataFrame({"responses": g.size(), "mean_satisfaction": g.mean(),
                         "share_satisfied": g.apply(lambda s: (s >= 4).mean())}).reset_index()


def churn_rate(crm, as_of=None, days: int = 180) -> float:
    """流失率 = customers with no paid purchase in the last ``days`` / customers who had bought
    before that window (the buyers who could churn)."""
    at = pd.Timestamp(_as_of(crm, as_of))
    days = to_int("days", days, lo=1)
    o = _orders(crm)
    o = o.loc[o.status.isin(PAID) & o.paid_at.notna() & (o.paid_at <= at)]
    start = at - pd.Timedelta(days=days)
    before = set(o.loc[o.paid_at <= start, "customer_id"])
    recent = set(o.loc[o.paid_at > start, "customer_id"])
    if not before:
        return float("nan")
    return len(before - recent) / len(before)


def timeline(crm, customer) -> pd.DataFrame:
    """A customer's timeline (客户360视图): contact records, orders, tickets, tasks and audit history."""
    cid = crm.customers._id(customer)
    crm.customers.get(cid)
    parts = []
    inter = crm.interactions.to_frame(customer=cid)
    parts.append(pd.DataFrame({"at": inter.occurred_at, "type": "contact record",
                               "what": inter.kind + " · " + inter.channel + " · " + inter.subject.astype(str)}))
    if crm.can("orders", "read"):
        o = _orders(crm)
        o = o.loc[o.customer_id == cid]
        parts.append(pd.DataFrame({"at": o.ordered_at, "type": "order",
                                   "what": o.order_no + " · " + o.status + " · ¥" + o.amount.map("{:,.2f}".format)}))
    if crm.can("tickets", "read"):
        t = crm.tickets.to_frame(customer=cid)
        parts.append(pd.DataFrame({"at": t.opened_at, "type": "ticket",
                                   "what": t.ticket_no + " · " + t.kind + " · " + t.status + " · " + t.subject}))
    if crm.can("tasks", "read"):
        k = crm.tasks.to_frame(customer=cid)
        parts.append(pd.DataFrame({"at": k.due_at, "type": "task",
                                   "what": k.kind + " · " + k.status + " · " + k.title}))
    if crm.can("audit_log", "read"):
        h = crm.read(lambda conn: audit.history(conn, "customers", cid))
        if len(h):
            parts.append(pd.DataFrame({"at": h["at"], "type": "audit", "what": h.username + " " + h.action + " "
                                       + h.field.fillna("") + " " + h.old_value.fillna("") + " → "
                                       + h.new_value.fillna("").str.slice(0, 80)}))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=["at", "type", "what"])
    return pd.concat(parts, ignore_index=True).sort_values("at", ascending=False, kind="stable").reset_index(drop=True)


METHODS = {f.__name__: f for f in (
    complaint_sla, sla_breaches, sla_summary, complaint_queue, root_causes, ticket_stats,
    schedule_follow_up, follow_ups_due, return_visit_rate, dormant_customers, regrade,
    automation_candidates, run_automation, add_campaign_members, select_targets, execute_campaign,
    campaign_roi, funnel, stage_conversion, sales_forecast, consumption_analysis, satisfaction_analysis,
    churn_rate, timeline)}

__all__ = list(METHODS)
