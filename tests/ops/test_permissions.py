"""Every cell of the role × entity × action × scope matrix, exercised against the database.

For each role and each CRM entity and action the test builds records "of" a user (owned by them,
or hanging off a customer they own) and checks: scope ``none`` → PermissionDenied; ``all`` →
allowed even for another team's record; ``team`` → allowed for a team-mate's record, refused for
another team's; ``own`` → allowed for the user's own record, refused for a team-mate's.
"""
from __future__ import annotations

import itertools

import pandas as pd
import pytest

import crmlab
from crmlab.errors import PermissionDenied
from crmlab.ops.permissions import ACTIONS, DEFAULT_MATRIX, ENTITIES, ROLES, permission_rows

from conftest import NOW, USERS

COLLECTIONS = ["customers", "suppliers", "contacts", "interactions", "tickets", "campaigns", "opportunities", "tasks"]
USER_OF_ROLE = {"admin": "alice", "sales_manager": "mary", "sales_rep": "bob", "service_agent": "sam", "analyst": "ana"}
TEAM = {u: t for _, u, _, t in USERS}
_counter = itertools.count(1)


def _phone():
    return f"137{next(_counter):08d}"


def values_of(admin, entity, user, cust_of):
    """Field values for a new record of ``entity`` belonging to ``user``."""
    if entity == "customers":
        return {"name": "客户", "phone": _phone(), "owner_user_id": user}
    if entity == "suppliers":
        return {"name": "供应商", "phone": _phone(), "owner_user_id": user}
    if entity == "campaigns":
        return {"name": "活动", "kind": "promotion", "channel": "sms", "owner_user_id": user}
    c = cust_of(user)
    if entity == "contacts":
        return {"name": "联系人", "customer_id": c}
    if entity == "interactions":
        return {"customer_id": c, "channel": "phone", "subject": "s", "user_id": user}
    if entity == "tickets":
        return {"customer_id": c, "channel": "phone", "subject": "s", "assigned_user_id": user}
    if entity == "opportunities":
        return {"name": "机会", "customer_id": c, "amount": 100, "owner_user_id": user}
    if entity == "tasks":
        return {"kind": "care", "customer_id": c, "title": "t", "due_at": "2024-07-01", "assigned_user_id": user}
    raise AssertionError(entity)


UPDATE = {"customers": {"city": "杭州"}, "suppliers": {"city": "宁波"}, "contacts": {"job_title": "经理"},
          "interactions": {"outcome": "ok"}, "tickets": {"description": "d"}, "campaigns": {"content": "c"},
          "opportunities": {"amount": 200}, "tasks": {"outcome": "o"}}


def in_and_out(role, username, scope):
    """(user whose record is inside the scope, user whose record is outside it or None)."""
    if scope == "all":
        return "rita", None            # another team's record is allowed
    if scope == "team":
        return "bob", "rita"           # team-mate in, other team out (mary is in team 1)
    if scope == "own":
        other = "mary" if username != "mary" else "bob"
        return username, other if TEAM[other] == TEAM[username] else "rita"
    return "rita", None


@pytest.mark.parametrize("role", list(ROLES))
def test_every_cell(small_db, role):
    admin = crmlab.CRM(small_db, user="alice", now=NOW)
    username = USER_OF_ROLE[role]
    crm = crmlab.CRM(small_db, user=username, now=NOW)
    uid = {u: i for i, u, _, _ in USERS}
    customers_of = {}

    def cust_of(user_id):
        if user_id not in customers_of:
            customers_of[user_id] = admin.customers.add(name="父客户", phone=_phone(), owner_user_id=user_id)
        return customers_of[user_id]

    def make(entity, user):
        return getattr(admin, entity).add(values_of(admin, entity, uid[user], cust_of))

    checked = 0
    for entity, action in itertools.product(COLLECTIONS, ACTIONS):
        scope = DEFAULT_MATRIX[role][entity][action]
        assert crm.scope(entity, action) == scope          # the database holds the default matrix
        coll = getattr(crm, entity)
        inside, outside = in_and_out(role, username, scope)
        label = f"{role} {action} {entity} ({scope})"

        def attempt(owner):
            if action == "create":
                return coll.add(values_of(admin, entity, uid[owner], cust_of))
            if action == "import":
                return crm.import_csv(pd.DataFrame([values_of(admin, entity, uid[owner], cust_of)]), entity,
                                      on_duplicate="skip")
            rid = make(entity, owner)
            if action == "read":
                return coll.get(rid)
            if action == "update":
                return coll.update(rid, UPDATE[entity])
            if action == "delete":
                return coll.delete(rid)
            if action == "export":
                df = crm.export(entity)
                if rid not in set(df[coll.ent.pk]):
                    raise PermissionDenied(entity, "not exported")
                return df
            raise AssertionError(action)

        if scope == "none":
            with pytest.raises(PermissionDenied):
                attempt(inside)
        else:
            attempt(inside)                                   # allowed
            if outside is not None:
                with pytest.raises(PermissionDenied):
                    attempt(outside)
        checked += 1
    assert checked == len(COLLECTIONS) * len(ACTIONS)


def test_matrix_is_complete_and_valid():
    rows = permission_rows()
    assert len(rows) == len(ROLES) * len(ENTITIES) * len(ACTIONS)
    assert {r["scope"] for r in rows} <= {"all", "team", "own", "none"}
    # analyst is read-only; nobody may change or delete the audit log
    for entity in ENTITIES:
        for action in ("create", "update", "delete", "import"):
            assert DEFAULT_MATRIX["analyst"][entity][action] == "none"
    for role in ROLES:
        for action in ("create", "update", "delete", "import"):
            assert DEFAULT_MATRIX[role]["audit_log"][action] == "none"
    assert DEFAULT_MATRIX["sales_rep"]["customers"]["read"] == "own"


@pytest.mark.parametrize("role", list(ROLES))
def test_non_collection_entities(small_db, role):
    """orders (read scope), audit_log (read), users/products (matrix cells as stored)."""
    username = USER_OF_ROLE[role]
    crm = crmlab.CRM(small_db, user=username, now=NOW)
    for entity in ("orders", "products", "users", "audit_log"):
        for action in ACTIONS:
            assert crm.scope(entity, action) == DEFAULT_MATRIX[role][entity][action]
    # orders: rows visible follow the read scope (orders 1,2 → bob's customer 1; 4,5 → rita's customer 2)
    scope = DEFAULT_MATRIX[role]["orders"]["read"]
    if scope == "none":
        with pytest.raises(PermissionDenied):
            crm.consumption_analysis()
    else:
        from crmlab.ops.workflows import _orders
        seen = set(_orders(crm).order_id)
        expected = {"all": {1, 2, 3, 4, 5}, "team": {1, 2, 3}, "own": {1, 2, 3}}[scope]
        assert seen == expected
    # audit log: history needs read on audit_log
    admin = crmlab.CRM(small_db, user="alice", now=NOW)
    admin.customers.update(1, city="宁波")
    if DEFAULT_MATRIX[role]["audit_log"]["read"] == "none" or DEFAULT_MATRIX[role]["customers"]["read"] == "none":
        with pytest.raises(PermissionDenied):
            crm.history("customers", 1)
    elif DEFAULT_MATRIX[role]["customers"]["read"] in ("all", "team") or username == "bob":
        assert len(crm.history("customers", 1)) >= 1


def test_backup_is_admin_only(small_db, tmp_path):
    for user in ("mary", "bob", "sam", "ana"):
        with pytest.raises(PermissionDenied):
            crmlab.CRM(small_db, user=user, now=NOW).backup(tmp_path / "b.db")


def test_changed_matrix_in_database_takes_effect(small_db):
    """An instructor can change a cell with SQL: the CRM reads role_permissions."""
    import sqlalchemy as sa
    with small_db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE role_permissions SET scope = 'none' WHERE entity = 'customers' "
                             "AND action = 'read' AND role_id = (SELECT role_id FROM roles WHERE code = 'analyst')"))
    with pytest.raises(PermissionDenied):
        crmlab.CRM(small_db, user="ana", now=NOW).customers.search()
