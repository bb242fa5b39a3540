"""A small hand-made CRM database for the ops tests (known owners, teams and orders).

Built on the fresh, empty database of the shared ``engine_url`` fixture, so every test runs on
SQLite and on PostgreSQL. Expected values in the tests are read off these rows by hand.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile

import pytest
import sqlalchemy as sa

import crmlab
from crmlab.db import schema
from crmlab.db.engine import Database, make_engine
from crmlab.db.io import reset_sequences
from crmlab.ops.audit import install_guards
from crmlab.ops.permissions import ROLES, permission_rows

NOW = dt.datetime(2024, 6, 30, 12, 0, 0)
T0 = dt.datetime(2024, 1, 1, 9, 0, 0)

USERS = [  # user_id, username, role, team
    (1, "alice", "admin", 1), (2, "mary", "sales_manager", 1), (3, "bob", "sales_rep", 1),
    (4, "rita", "sales_rep", 2), (5, "sam", "service_agent", 1), (6, "ana", "analyst", 2),
]
ROLE_IDS = {code: i + 1 for i, code in enumerate(ROLES)}
USER_IDS = {u[1]: u[0] for u in USERS}


TICKETS = [  # id, customer, order, kind, category, status, subject, root cause, opened, first response, resolved, sat
    # met: answered after 2 h
    (1, 1, 1, "complaint", "logistics", "resolved", "快递延误", "late_delivery", dt.datetime(2024, 5, 12, 9),
     dt.datetime(2024, 5, 12, 11), dt.datetime(2024, 5, 13, 9), 4),
    # breached: answered after 30 h
    (2, 3, 3, "complaint", "product_quality", "resolved", "产品质量问题", "product_defect", dt.datetime(2024, 6, 16, 9),
     dt.datetime(2024, 6, 17, 15), dt.datetime(2024, 6, 18, 9), 2),
    # breached_open at NOW (opened 26 h before, no answer)
    (3, 2, 4, "complaint", "logistics", "open", "包裹破损", None, dt.datetime(2024, 6, 29, 10), None, None, None),
    # pending at NOW (opened 2 h before)
    (4, 1, 2, "complaint", "billing", "open", "重复扣款", None, dt.datetime(2024, 6, 30, 10), None, None, None),
    # an inquiry answered late: not a complaint
    (5, 1, None, "inquiry", "other", "resolved", "什么时候发货?", None, dt.datetime(2024, 6, 1, 9),
     dt.datetime(2024, 6, 5, 9), dt.datetime(2024, 6, 5, 10), 3),
    # another resolved complaint with the same root cause as ticket 1
    (6, 3, 3, "complaint", "logistics", "closed", "快递延误", "late_delivery", dt.datetime(2024, 6, 20, 9),
     dt.datetime(2024, 6, 20, 10), dt.datetime(2024, 6, 21, 9), 5),
]


_TEMPLATE: dict[str, str] = {}


def build_small(url: str) -> Database:
    """The small database at ``url`` (SQLite files are copied from a template built once)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        if "path" not in _TEMPLATE:
            folder = tempfile.mkdtemp(prefix="crm-ops-template-")
            template = os.path.join(folder, "small.db")
            _build(f"sqlite:///{template}").close()
            _TEMPLATE["path"] = template
        shutil.copyfile(_TEMPLATE["path"], parsed.database)
        return Database(url=url, engine=make_engine(url))
    return _build(url)


def _build(url: str) -> Database:
    engine = make_engine(url)
    schema.metadata.create_all(engine)
    with engine.begin() as conn:
        install_guards(conn)
        conn.execute(schema.teams.insert(), [{"team_id": 1, "name": "East 华东"}, {"team_id": 2, "name": "North 华北"}])
        conn.execute(schema.roles.insert(), [{"role_id": ROLE_IDS[c], "code": c, "name": n, "name_zh": z}
                                             for c, (n, z) in ROLES.items()])
        conn.execute(schema.role_permissions.insert(), [
            {"role_id": ROLE_IDS[r["role_code"]], "entity": r["entity"], "action": r["action"], "scope": r["scope"]}
            for r in permission_rows()])
        conn.execute(schema.users.insert(), [
            {"user_id": i, "username": u, "full_name": u.title(), "email": f"{u}@crm.example.com",
             "role_id": ROLE_IDS[r], "team_id": t, "created_at": T0} for i, u, r, t in USERS])
        conn.execute(schema.customer_categories.insert(), [
            {"category_id": 1, "code": "important", "name": "important", "name_zh": "重要客户", "name_zh_alt": "重点客户",
             "min_annual_spend": 10000, "sort_order": 1},
            {"category_id": 2, "code": "ordinary", "name": "ordinary", "name_zh": "一般客户", "name_zh_alt": "基础客户",
             "min_annual_spend": 1000, "sort_order": 2},
            {"category_id": 3, "code": "potential", "name": "potential", "name_zh": "潜在客户", "name_zh_alt": "潜在客户",
             "min_annual_spend": None, "sort_order": 3}])
        conn.execute(schema.pipeline_stages.insert(), [
            {"stage_id": i + 1, "code": c, "name": c, "name_zh": z, "seq": i + 1, "probability": p,
             "is_won": int(c == "won"), "is_lost": int(c == "lost")}
            for i, (c, z, p) in enumerate([("prospect", "漏斗外", 10), ("qualified", "漏斗上", 30),
                                           ("followed", "漏斗中", 60), ("contract", "漏斗下", 80),
                                           ("won", "成交", 100), ("lost", "失败", 0)])])
        cust = [  # id, code, name, type, owner, category, city, phone, email
            (1, "C000001", "王芳", "person", 3, 1, "杭州", "13800000001", "wangfang@example.com"),
            (2, "C000002", "李雷", "person", 4, 2, "北京", "13800000002", None),
            (3, "C000003", "杭州星辰贸易有限公司", "company", 3, 2, "杭州", "057188880003", None),
            (4, "C000004", "张伟", "person", None, 3, "上海", "13800000004", None),
            (5, "C000005", "王芳", "person", 2, 3, "杭州", "13800000005", None),
        ]
        conn.execute(schema.customers.insert(), [
            {"customer_id": i, "customer_code": c, "name": n, "customer_type": t, "owner_user_id": o,
             "category_id": k, "city": city, "phone": ph, "email": em, "registered_at": T0,
             "created_at": T0, "updated_at": T0} for i, c, n, t, o, k, city, ph, em in cust])
        conn.execute(schema.suppliers.insert(), [
            {"supplier_id": 1, "supplier_code": "S000001", "name": "宁波厨具制造厂", "phone": "057488880001",
             "owner_user_id": 2, "created_at": T0, "updated_at": T0}])
        conn.execute(schema.contacts.insert(), [
            {"contact_id": 1, "customer_id": 3, "supplier_id": None, "name": "陈经理", "phone": "13900000001", "is_primary": 1,
             "created_at": T0, "updated_at": T0},
            {"contact_id": 2, "customer_id": None, "supplier_id": 1, "name": "刘工", "phone": "13900000002", "is_primary": 1,
             "created_at": T0, "updated_at": T0}])
        conn.execute(schema.product_categories.insert(), [
            {"product_category_id": 1, "code": "kitchen", "name": "kitchen", "name_zh": "厨具", "department": "home"}])
        conn.execute(schema.products.insert(), [
            {"product_id": 1, "sku": "P001", "name": "集成灶", "product_category_id": 1, "supplier_id": 1,
             "list_price": 5000, "unit_cost": 3000}])
        orders = [  # id, customer, status, ordered_at, paid_at, amount
            (1, 1, "delivered", dt.datetime(2024, 5, 10, 10), dt.datetime(2024, 5, 10, 11), 5000.0),
            (2, 1, "placed", dt.datetime(2024, 6, 28, 9), None, 5000.0),
            (3, 3, "paid", dt.datetime(2024, 6, 15, 10), dt.datetime(2024, 6, 15, 10, 30), 10000.0),
            (4, 2, "delivered", dt.datetime(2023, 6, 1, 10), dt.datetime(2023, 6, 1, 10, 5), 4800.0),
            (5, 2, "placed", dt.datetime(2024, 6, 30, 0), None, 5000.0),
        ]
        conn.execute(schema.orders.insert(), [
            {"order_id": i, "order_no": f"O{i:05d}", "customer_id": c, "channel": "web", "status": s,
             "ordered_at": o, "due_at": o, "paid_at": p, "n_items": 1, "gross_amount": a, "amount": a,
             "cost": a * 0.6} for i, c, s, o, p, a in orders])
        conn.execute(schema.order_lines.insert(), [
            {"order_id": i, "line_no": 1, "product_id": 1, "quantity": 1, "unit_price": a, "unit_cost": a * 0.6}
            for i, c, s, o, p, a in orders])
        conn.execute(schema.automation_rules.insert(), [
            {"rule_id": 1, "code": "UNPAID_24H", "name": "unpaid-order reminder", "trigger": "unpaid_order",
             "delay_hours": 24, "action": "create_task", "task_kind": "payment_reminder"},
            {"rule_id": 2, "code": "RECOMMEND_30D", "name": "recommendation 30 days after purchase",
             "trigger": "after_purchase", "delay_hours": 720, "action": "create_task", "task_kind": "recommendation"},
            {"rule_id": 3, "code": "WINBACK_180D", "name": "win back lapsed customers", "trigger": "lapsed",
             "delay_hours": 4320, "action": "create_task", "task_kind": "win_back"}])
        conn.execute(schema.opportunities.insert(), [
            {"opportunity_id": 1, "code": "OPP000001", "name": "集成灶 20 台", "customer_id": 3, "owner_user_id": 3,
             "stage_id": 2, "status": "open", "amount": 100000, "created_at": T0, "updated_at": T0}])
        conn.execute(schema.opportunity_stage_history.insert(), [
            {"opportunity_id": 1, "from_stage_id": None, "to_stage_id": 1, "changed_at": T0, "changed_by": 3},
            {"opportunity_id": 1, "from_stage_id": 1, "to_stage_id": 2, "changed_at": T0, "changed_by": 3}])
        conn.execute(schema.tickets.insert(), [dict(
            ticket_id=i, ticket_no=f"T{i:06d}", customer_id=c, order_id=o, kind=k, category=cat, channel="phone",
            priority="normal", status=st, subject=sub, root_cause=rc, assigned_user_id=5, opened_at=op,
            response_due_at=op + dt.timedelta(hours=24 if k == "complaint" else 48), first_response_at=fr,
            resolved_at=rs, resolution=None if rs is None else "处理完毕", satisfaction=sat)
            for i, c, o, k, cat, st, sub, rc, op, fr, rs, sat in TICKETS])
        conn.execute(schema.tasks.insert(), [
            {"task_id": 1, "kind": "follow_up", "customer_id": 1, "assigned_user_id": 3, "created_by": 3,
             "title": "跟进王芳", "due_at": dt.datetime(2024, 6, 25, 10), "status": "open", "created_at": T0}])
        reset_sequences(conn)
    return Database(url=url, engine=engine)


@pytest.fixture
def small_db(engine_url):
    db = build_small(engine_url)
    yield db
    db.close()


@pytest.fixture
def crm_as(small_db):
    """``crm_as("bob")``: the small database seen by a user, clock fixed at NOW."""
    def make(user="alice"):
        return crmlab.CRM(small_db, user=user, now=NOW)
    return make
