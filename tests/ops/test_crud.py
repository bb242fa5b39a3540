"""Add / get / update / archive / delete / search on every collection, with the audit trail."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

import crmlab
from crmlab.errors import Conflict, NotFound, ValidationError

from conftest import NOW


def test_customer_lifecycle_and_audit(crm_as, small_db):
    crm = crm_as("alice")
    cid = crm.customers.add(name="赵六", phone="139-1234-5678", city="杭州", category="重要客户")
    row = crm.customers.get(cid)
    assert row["phone"] == "13912345678"                     # hyphens dropped
    assert row["category_id"] == 1 and row["customer_code"] == f"C{cid:06d}"
    assert row["created_at"] == NOW and row["owner_user_id"] == 1
    assert crm.customers.get(row["customer_code"])["customer_id"] == cid   # by code
    changes = crm.customers.update(cid, category="ordinary", email="ZHAO@Example.com", city="杭州")
    assert changes == {"category_id": (1, 2), "email": (None, "zhao@example.com")}   # city unchanged: not logged
    crm.customers.archive(cid)
    assert crm.customers.get(cid)["status"] == "archived"
    assert cid not in set(crm.customers.search()["customer_id"])                   # archived hidden
    assert cid in set(crm.customers.search(include_archived=True)["customer_id"])
    crm.customers.restore(cid)
    h = crm.history("customers", cid)
    assert list(h.action) == ["create", "update", "update", "archive", "restore"]
    upd = h.loc[h.action == "update"].set_index("field")
    assert upd.loc["category_id", "old_value"] == "1" and upd.loc["category_id", "new_value"] == "2"
    assert pd.isna(upd.loc["email", "old_value"]) and upd.loc["email", "new_value"] == "zhao@example.com"
    assert h.loc[h.action == "update", "txn"].nunique() == 1                        # one write, one txn
    assert set(h.username) == {"alice"}
    crm.customers.delete(cid)                                                      # no orders: may delete
    with pytest.raises(NotFound):
        crm.customers.get(cid)
    assert crm.read(lambda c: c.execute(sa.text(
        "SELECT count(*) FROM audit_log WHERE entity='customers' AND record_id=:r AND action='delete'"),
        {"r": cid}).scalar()) == 1


def test_audit_log_is_append_only(small_db, crm_as):
    crm_as("alice").customers.update(1, city="宁波")
    for stmt in ("UPDATE audit_log SET username = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with small_db.engine.begin() as conn:
                conn.execute(sa.text(stmt))
    with small_db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM audit_log WHERE username='alice'")).scalar() == 1


def test_failed_write_leaves_nothing(small_db, crm_as):
    crm = crm_as("alice")
    n = crm.read(lambda c: c.execute(sa.text("SELECT count(*) FROM audit_log")).scalar())
    with pytest.raises(ValidationError) as err:
        crm.customers.update(1, city="宁波", phone="12")
    assert err.value.field == "phone"
    assert "电话" in err.value.message("zh")
    assert crm.customers.get(1)["city"] == "杭州"
    assert crm.read(lambda c: c.execute(sa.text("SELECT count(*) FROM audit_log")).scalar()) == n


def test_delete_customer_with_orders_is_refused(crm_as):
    with pytest.raises(Conflict) as err:
        crm_as("alice").customers.delete(1)
    assert "orders" in err.value.reason and "archive" in err.value.reason


def test_search_filters_and_paging(crm_as):
    crm = crm_as("alice")
    assert list(crm.customers.search(name="王芳").customer_code) == ["C000001", "C000005"]
    assert list(crm.customers.search(company="星辰").customer_code) == ["C000003"]
    assert list(crm.customers.search(phone="138-0000-0002").customer_code) == ["C000002"]
    assert list(crm.customers.search(code="0004").customer_code) == ["C000004"]
    assert list(crm.customers.search(category="important").customer_code) == ["C000001"]
    assert list(crm.customers.search(category="基础客户").customer_code) == ["C000002", "C000003"]
    assert list(crm.customers.search(owner="bob").customer_code) == ["C000001", "C000003"]
    assert list(crm.customers.search(q="wangfang").customer_code) == ["C000001"]
    assert list(crm.customers.search(city="杭州", page=2, page_size=2).customer_code) == ["C000005"]
    assert crm.customers.count(city="杭州") == 3
    assert list(crm.contacts.search(company="宁波厨具").name) == ["刘工"]
    assert list(crm.contacts.search(company="星辰").name) == ["陈经理"]
    df = crm.customers.search(name="%")                    # LIKE wildcards are literal text
    assert df.empty
    bob = crm.as_user("bob")                               # a sales rep sees only his own customers
    assert list(bob.customers.search().customer_code) == ["C000001", "C000003"]


def test_contact_records_and_follow_up_task(crm_as):
    crm = crm_as("bob")
    iid = crm.interactions.add(customer="C000001", channel="wechat", subject="回访新灶使用情况",
                               kind="return_visit", next_follow_up_at=NOW + dt.timedelta(days=7))
    rec = crm.interactions.get(iid)
    assert rec["user_id"] == 3 and rec["occurred_at"] == NOW
    tasks = crm.tasks.search(customer=1, kind="return_visit")
    assert len(tasks) == 1 and tasks.due_at.iloc[0] == NOW + dt.timedelta(days=7)
    assert tasks.assigned_user_id.iloc[0] == 3


def test_tickets_sla_due_and_resolution(crm_as):
    crm = crm_as("sam")
    tid = crm.tickets.add(customer=1, channel="phone", subject="漏发配件", category="logistics")
    t = crm.tickets.get(tid)
    assert t["response_due_at"] - t["opened_at"] == dt.timedelta(hours=24)
    assert t["assigned_user_id"] == 5 and t["ticket_no"] == f"T{tid:06d}"
    crm.tickets.respond(tid, at=NOW + dt.timedelta(hours=3))
    crm.tickets.resolve(tid, "补发配件", root_cause="wrong_item", satisfaction=4, at=NOW + dt.timedelta(hours=20))
    t = crm.tickets.get(tid)
    assert t["status"] == "resolved" and t["root_cause"] == "wrong_item" and t["satisfaction"] == 4
    iid = crm.tickets.add(customer=1, channel="phone", subject="发票", kind="inquiry")
    t = crm.tickets.get(iid)
    assert t["response_due_at"] - t["opened_at"] == dt.timedelta(hours=48)


def test_tasks_complete_and_evaluate(crm_as):
    crm = crm_as("bob")
    tid = crm.tasks.add(kind="care", customer=1, title="生日祝福", due_at="2024-07-02")
    crm.tasks.complete(tid, outcome="客户很高兴", effect_score=5)
    t = crm.tasks.get(tid)
    assert t["status"] == "done" and t["completed_at"] == NOW and t["effect_score"] == 5
    crm.tasks.update(tid, status="open")
    assert crm.tasks.get(tid)["completed_at"] is None


def test_opportunity_moves_keep_history(small_db, crm_as):
    crm = crm_as("bob")
    crm.opportunities.move(1, "followed")
    crm.opportunities.move(1, "contract")
    crm.opportunities.move(1, "won")
    o = crm.opportunities.get(1)
    assert o["status"] == "won" and o["closed_at"] == NOW
    hist = small_db.sql("SELECT from_stage_id, to_stage_id FROM opportunity_stage_history "
                        "WHERE opportunity_id = 1 ORDER BY history_id")
    assert hist.fillna(0).astype(int).values.tolist() == [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]


def test_suppliers_contacts_campaigns(crm_as):
    crm = crm_as("alice")
    sid = crm.suppliers.add(name="佛山电器", phone="075788880001", rating=4)
    cid = crm.contacts.add(name="周经理", supplier=sid, phone="13600000001", buying_role="decider")
    assert crm.contacts.get(cid)["supplier_id"] == sid
    camp = crm.campaigns.add(name="618 大促", kind="promotion", channel="sms", budget=5000,
                             start_date="2024-06-01", end_date="2024-06-18")
    assert crm.campaigns.get(camp)["code"] == f"CMP{camp:06d}"
    crm.campaigns.archive(camp)
    assert crm.campaigns.get(camp)["status"] == "cancelled"
    crm.contacts.delete(cid)
    crm.suppliers.archive(sid)
    assert crm.suppliers.get(sid)["status"] == "archived"


def test_clock_defaults_to_wall_time_without_simulation(small_db):
    crm = crmlab.CRM(small_db, user="alice")
    assert abs((crm.now - dt.datetime.utcnow()).total_seconds()) < 120
