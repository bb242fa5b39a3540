"""Workflows on the small database; expected values are read off its rows by hand (see conftest)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import crmlab

from conftest import NOW


def test_complaint_sla_states(crm_as):
    sla = crm_as("alice").complaint_sla().set_index("ticket_no")
    assert sla.sla_state.to_dict() == {"T000001": "met", "T000002": "breached", "T000003": "breached_open",
                                       "T000004": "pending", "T000006": "met"}
    assert sla.loc["T000002", "hours_to_first_response"] == pytest.approx(30.0)
    assert sla.loc["T000004", "hours_left"] == pytest.approx(22.0)
    # earlier as_of: ticket 3 (opened 06-29 10:00) still pending at 06-30 09:00; 4 not yet opened
    early = crm_as("alice").complaint_sla(as_of="2024-06-30 09:00").set_index("ticket_no")
    assert early.loc["T000003", "sla_state"] == "pending" and "T000004" not in early.index
    s = crm_as("alice").sla_summary()
    assert s["breach_rate"] == pytest.approx(2 / 4)
    assert list(crm_as("alice").sla_breaches().ticket_no) == ["T000002", "T000003"]
    q = crm_as("alice").complaint_queue()
    assert list(q.ticket_no) == ["T000003", "T000004"]


def test_root_causes(crm_as):
    rc = crm_as("alice").root_causes()
    assert rc.set_index("root_cause").n.to_dict() == {"late_delivery": 2, "product_defect": 1}
    assert rc.share.sum() == pytest.approx(1.0)


def test_regrade_by_rule(crm_as):
    # 12-month paid spend at NOW: C1 5000, C2 0 (paid 2023-06-01, > 12 months ago), C3 10000, C4/C5 none
    crm = crm_as("alice")
    g = crm.regrade(important_min=8000).set_index("customer_code")
    assert g.spend.to_dict() == {"C000001": 5000.0, "C000002": 0.0, "C000003": 10000.0, "C000004": 0.0, "C000005": 0.0}
    assert g.suggested.to_dict() == {"C000001": "ordinary", "C000002": "ordinary", "C000003": "important",
                                     "C000004": "potential", "C000005": "potential"}
    assert set(g.index[g.change]) == {"C000001", "C000003"}
    crm.regrade(important_min=8000, apply=True)
    assert crm.customers.get(1)["category_id"] == 2 and crm.customers.get(3)["category_id"] == 1
    assert crm.history("customers", 3).field.tolist() == ["category_id"]


def test_automation_fires_once_per_event(crm_as, small_db):
    crm = crm_as("alice")
    # UNPAID_24H: order 2 (placed 06-28 09:00, due 06-29 09:00, within the last 7 days); order 5 not yet due
    # RECOMMEND_30D: nothing paid 30-37 days before NOW;  WINBACK_180D: customer 2 (last paid 2023-06-01)
    fired = crm.run_automation()
    assert sorted(zip(fired.rule, fired.dedupe_key)) == [("UNPAID_24H", "order:2"), ("WINBACK_180D", "lapsed:4")]
    assert crm.run_automation().empty                      # idempotent
    later = crm_as("alice")
    later.now = "2024-07-02 12:00"                          # order 5 (placed 06-30 00:00) now 24 h overdue
    f2 = later.run_automation()
    assert sorted(zip(f2.rule, f2.dedupe_key)) == [("UNPAID_24H", "order:5")]   # win-back not again
    later.now = "2024-07-16 12:00"                          # order 3 paid 06-15 10:30 → 30 days later
    f3 = later.run_automation()
    assert sorted(zip(f3.rule, f3.dedupe_key)) == [("RECOMMEND_30D", "order:3")]
    runs = small_db.sql("SELECT r.dedupe_key, t.kind, t.assigned_user_id FROM automation_runs r "
                        "JOIN tasks t ON t.task_id = r.task_id ORDER BY r.run_id")
    assert runs.iloc[0].tolist() == ["order:2", "payment_reminder", 3]
    assert runs.dedupe_key.is_unique


def test_follow_ups_and_return_visits(crm_as, small_db):
    crm = crm_as("bob")
    tid = crm.schedule_follow_up("C000001", days=7, kind="return_visit")
    assert crm.tasks.get(tid)["due_at"] == NOW + dt.timedelta(days=7)
    due = crm.follow_ups_due(within_days=7)
    assert due.set_index("task_id").overdue.to_dict() == {1: True, tid: False}
    # 回访率: order 1 delivered 05-12 with a return visit on 05-15; order 4 delivered 2023-06-03 without → 1/2
    with small_db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE orders SET delivered_at = '2024-05-12 10:00:00' WHERE order_id = 1"))
        conn.execute(sa.text("UPDATE orders SET delivered_at = '2023-06-03 10:00:00' WHERE order_id = 4"))
    admin = crm_as("alice")
    admin.interactions.add(customer=1, channel="phone", subject="回访", kind="return_visit", occurred_at="2024-05-15")
    assert admin.return_visit_rate() == pytest.approx(0.5)


def test_dormant_and_churn(crm_as, small_db):
    crm = crm_as("alice")
    assert list(crm.dormant_customers(days=180).customer_code) == ["C000002"]
    assert crm.churn_rate(days=180) == pytest.approx(1.0)      # the only earlier buyer (C2) did not return
    with small_db.engine.begin() as conn:                      # C1 also bought before the window
        conn.execute(sa.text("INSERT INTO orders (order_id, order_no, customer_id, channel, status, ordered_at, due_at,"
                             " paid_at, n_items, gross_amount, amount, cost) VALUES (6, 'O00006', 1, 'web', 'paid',"
                             " '2023-12-01 10:00:00', '2023-12-01 10:00:00', '2023-12-01 10:00:00', 1, 100, 100, 60)"))
    assert crm.churn_rate(days=180) == pytest.approx(0.5)


def test_campaign_targets_execution_roi(crm_as, small_db):
    crm = crm_as("alice")
    cid = crm.campaigns.add(name="老客回馈", kind="retention", channel="sms", budget=1000, cost_per_contact=2,
                            start_date="2024-06-01")
    targets = crm.select_targets(min_orders=1)
    assert set(targets.customer_code) == {"C000001", "C000002", "C000003"}
    assert crm.campaigns.add_members(cid, ["C000001", "C000002", "C000003"]) == 3
    assert crm.campaigns.add_members(cid, ["C000001"]) == 0          # already on the list
    crm.campaigns.add_members(cid, [4], group="control")
    out = crm.execute_campaign(cid)
    assert out["sent"] == 3 and out["actual_cost"] == 6.0 and out["status"] == "active"
    with small_db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE orders SET campaign_id = :c WHERE order_id = 3"), {"c": cid})
        conn.execute(sa.text("UPDATE campaign_members SET responded = 1 WHERE campaign_id = :c AND customer_id = 3"),
                     {"c": cid})
    roi = crm.campaign_roi().set_index("code").loc[f"CMP{cid:06d}"]
    assert roi.revenue == 10000 and roi.roi_pct == pytest.approx((10000 - 6) / 6 * 100)
    assert roi.targeted == 3 and roi.control == 1 and roi.contacted == 3
    assert roi.response_treatment == pytest.approx(1 / 3) and roi.uplift == pytest.approx(1 / 3)


def test_funnel_conversion_forecast(crm_as):
    crm = crm_as("alice")
    crm.opportunities.add(name="b", customer=1, amount=50000, stage="contract")      # 80 %
    f = crm.funnel().set_index("stage")
    assert f.loc["qualified", "opportunities"] == 1 and f.loc["qualified", "weighted_amount"] == 30000
    assert f.loc["contract", "weighted_amount"] == 40000
    assert crm.sales_forecast() == pytest.approx(70000)
    crm.opportunities.move(1, "followed")
    conv = crm.stage_conversion().set_index("stage")
    assert conv.reached.to_dict() == {"prospect": 1, "qualified": 1, "followed": 1, "contract": 1, "won": 0}


def test_consumption_identity_and_satisfaction(crm_as):
    crm = crm_as("alice")
    c = crm.consumption_analysis(by="category")
    assert np.allclose(c.revenue, c.buyers * c.orders_per_buyer * c.aov)
    m = crm.consumption_analysis().set_index("month")
    assert m.loc["2024-06", "revenue"] == 10000 and m.loc["2023-06", "buyers"] == 1
    s = crm.satisfaction_analysis(by="kind").set_index("kind")
    assert s.loc["complaint", "mean_satisfaction"] == pytest.approx((4 + 2 + 5) / 3)
    assert s.loc["complaint", "share_satisfied"] == pytest.approx(2 / 3)


def test_timeline(crm_as):
    crm = crm_as("alice")
    crm.customers.update(1, city="宁波")
    tl = crm.timeline("C000001")
    assert {"order", "ticket", "task", "audit"} <= set(tl.type)
    assert tl["at"].is_monotonic_decreasing
