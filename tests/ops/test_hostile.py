"""At least 200 hostile inputs across the write paths: each raises its typed error, and the
database is unchanged afterwards (table hashes compared before and after every case)."""
from __future__ import annotations

import hashlib
import io
import math

import pandas as pd
import pytest

import crmlab
from crmlab.db.io import table_hashes
from crmlab.errors import Conflict, CrmlabError, NotFound, PermissionDenied, ValidationError

from conftest import NOW

V, P, N, C = ValidationError, PermissionDenied, NotFound, Conflict
WATCHED = ["customers", "suppliers", "contacts", "interactions", "tickets", "tasks", "campaigns", "campaign_members",
           "opportunities", "opportunity_stage_history", "automation_runs", "audit_log", "orders", "backup_runs"]

INJECTIONS = ["1; DROP TABLE customers", "' OR '1'='1", "1' --", "'; DELETE FROM audit_log; --",
              "1 UNION SELECT * FROM users", "Robert'); DROP TABLE customers;--", "%' OR 1=1 --", "\\'; --"]
WRONG_TYPES = [["list"], {"a": 1}, b"bytes", object(), (1, 2), {1, 2}]
BAD_DATES = ["2024-13-01", "2024-02-30", "yesterday", "01/02/2024", "2024-1-1", "20240101", 20240101,
             "2024-06-31 10:00", "1800-01-01", "2024-06-01T25:00"]
BAD_MONEY = [-1, -0.01, "abc", "1e", float("nan"), float("inf"), -float("inf"), True, [100], "12,34,5a", 1e15]
BAD_PHONES = ["123", "abcdefghijk", "1381234567", "138123456789", "23812345678", "+1 555 0100",
              "138-1234-567x", 13812345678.5, "", "1" * 30] + INJECTIONS[:3]
BAD_EMAILS = ["no-at-sign", "a@b", "@example.com", "a@@example.com", "a b@example.com", "x" * 250 + "@example.com",
              "a@example", "a@.com"] + INJECTIONS[:3]
OK_CUSTOMER = {"name": "新客户", "phone": "13912340000"}


def cases():
    out = []

    def add(label, fn, exc):
        out.append((label, fn, exc))

    # --- customers.add: fields of every kind
    for v in BAD_PHONES:
        add(f"customer phone {v!r}", lambda c, v=v: c("alice").customers.add(name="x", phone=v), V)
    for v in BAD_EMAILS:
        add(f"customer email {v!r}", lambda c, v=v: c("alice").customers.add(name="x", phone="13912340000", email=v), V)
    for v in BAD_MONEY:
        add(f"monthly_income {v!r}", lambda c, v=v: c("alice").customers.add(**OK_CUSTOMER, monthly_income=v), V)
        add(f"credit_limit {v!r}", lambda c, v=v: c("alice").customers.add(**OK_CUSTOMER, credit_limit=v), V)
    for v in BAD_DATES:
        add(f"birth_date {v!r}", lambda c, v=v: c("alice").customers.add(**OK_CUSTOMER, birth_date=v), V)
    add("birth_date in the future", lambda c: c("alice").customers.add(**OK_CUSTOMER, birth_date="2030-01-01"), V)
    for v in WRONG_TYPES:
        add(f"name {type(v).__name__}", lambda c, v=v: c("alice").customers.add(name=v, phone="13912340000"), V)
        add(f"city {type(v).__name__}", lambda c, v=v: c("alice").customers.add(**OK_CUSTOMER, city=v), V)
        add(f"credit_rating {type(v).__name__}", lambda c, v=v: c("alice").customers.add(**OK_CUSTOMER, credit_rating=v), V)
    for v in INJECTIONS:
        add(f"gender {v!r}", lambda c, v=v: c("alice").customers.add(**OK_CUSTOMER, gender=v), V)
        add(f"category {v!r}", lambda c, v=v: c("alice").customers.add(**OK_CUSTOMER, category=v), V)
        add(f"owner {v!r}", lambda c, v=v: c("alice").customers.add(**OK_CUSTOMER, owner=v), V)
        add(f"get {v!r}", lambda c, v=v: c("alice").customers.get(v), (N, V))
        add(f"update {v!r}", lambda c, v=v: c("alice").customers.update(v, city="x"), (N, V))
        add(f"delete {v!r}", lambda c, v=v: c("alice").customers.delete(v), (N, V))
        add(f"field name {v!r}", lambda c, v=v: c("alice").customers.add(**OK_CUSTOMER, **{v: 1}), V)
        add(f"interaction channel {v!r}", lambda c, v=v: c("alice").interactions.add(
            customer=1, channel=v, subject="s"), V)
        add(f"ticket customer {v!r}", lambda c, v=v: c("alice").tickets.add(customer=v, channel="phone", subject="s"), V)
        add(f"stage {v!r}", lambda c, v=v: c("alice").opportunities.move(1, v), V)
    for v in (101, -1, 1000, 50.5, "high"):
        add(f"credit_rating {v!r}", lambda c, v=v: c("alice").customers.add(**OK_CUSTOMER, credit_rating=v), V)
    for label, kw in [("name missing", {"phone": "13912340000"}), ("name empty", {"name": "", "phone": "13912340000"}),
                      ("name blank", {"name": "   ", "phone": "13912340000"}), ("no phone or email", {"name": "x"}),
                      ("name too long", {"name": "王" * 201, "phone": "13912340000"}),
                      ("address too long", {**OK_CUSTOMER, "address": "路" * 2001}),
                      ("NUL in name", {"name": "a\x00b", "phone": "13912340000"}),
                      ("customer_type bad", {**OK_CUSTOMER, "customer_type": "alien"}),
                      ("marketing_opt_in 2", {**OK_CUSTOMER, "marketing_opt_in": 2}),
                      ("household_size -1", {**OK_CUSTOMER, "household_size": -1}),
                      ("read-only customer_id", {**OK_CUSTOMER, "customer_id": 99}),
                      ("read-only created_at", {**OK_CUSTOMER, "created_at": "2024-01-01"}),
                      ("read-only merged_into_id", {**OK_CUSTOMER, "merged_into_id": 1}),
                      ("status merged", {**OK_CUSTOMER, "status": "merged"}),
                      ("unknown category id", {**OK_CUSTOMER, "category_id": 99}),
                      ("unknown owner id", {**OK_CUSTOMER, "owner_user_id": 999}),
                      ("unknown owner name", {**OK_CUSTOMER, "owner": "nobody"}),
                      ("unknown campaign", {**OK_CUSTOMER, "acquired_campaign_id": 12345})]:
        add(f"customer {label}", lambda c, kw=kw: c("alice").customers.add(kw), V)
    add("duplicate customer code", lambda c: c("alice").customers.add(**OK_CUSTOMER, customer_code="C000001"), C)
    add("add data not a dict", lambda c: c("alice").customers.add(["name", "x"]), V)

    # --- updates
    for kw in [{"phone": "12"}, {"email": "bad"}, {"category": "vip"}, {"name": ""}, {"credit_limit": -5},
               {"customer_code": "C000002"}, {"status": "merged"}, {"customer_id": 7}, {"updated_at": "2024-01-01"},
               {"nonexistent": 1}, {"phone": None, "email": None}]:
        exc = C if "customer_code" in kw else V
        add(f"update customer {kw}", lambda c, kw=kw: c("alice").customers.update(1, kw), exc)
    for ref in (999999, 0, -1, "C999999", 3.5, None, True):
        exc = N if ref in (999999, "C999999") else (V, N)
        add(f"update ref {ref!r}", lambda c, ref=ref: c("alice").customers.update(ref, city="x"), exc)
        add(f"get ref {ref!r}", lambda c, ref=ref: c("alice").customers.get(ref), exc)
        add(f"archive ref {ref!r}", lambda c, ref=ref: c("alice").customers.archive(ref), exc)

    # --- other entities
    add("supplier rating 6", lambda c: c("alice").suppliers.add(name="s", rating=6), V)
    add("supplier rating 0", lambda c: c("alice").suppliers.add(name="s", rating=0), V)
    add("supplier bad phone", lambda c: c("alice").suppliers.add(name="s", phone="1"), V)
    add("supplier code dup", lambda c: c("alice").suppliers.add(name="s", supplier_code="S000001"), C)
    add("contact two parents", lambda c: c("alice").contacts.add(name="c", customer=1, supplier=1), V)
    add("contact no parent", lambda c: c("alice").contacts.add(name="c"), V)
    add("contact unknown customer", lambda c: c("alice").contacts.add(name="c", customer=9999), V)
    add("contact bad buying role", lambda c: c("alice").contacts.add(name="c", customer=1, buying_role="boss"), V)
    add("contact is_primary 'maybe'", lambda c: c("alice").contacts.add(name="c", customer=1, is_primary="maybe"), V)
    add("interaction follow-up before contact", lambda c: c("alice").interactions.add(
        customer=1, channel="phone", subject="s", occurred_at="2024-06-10", next_follow_up_at="2024-06-01"), V)
    add("interaction 3 hours", lambda c: c("alice").interactions.add(
        customer=1, channel="phone", subject="s", duration_minutes=180), V)
    add("interaction negative minutes", lambda c: c("alice").interactions.add(
        customer=1, channel="phone", subject="s", duration_minutes=-1), V)
    add("interaction no subject", lambda c: c("alice").interactions.add(customer=1, channel="phone"), V)
    add("interaction no customer", lambda c: c("alice").interactions.add(channel="phone", subject="s"), V)
    add("interaction bad direction", lambda c: c("alice").interactions.add(
        customer=1, channel="phone", subject="s", direction="sideways"), V)
    add("interaction archive", lambda c: c("alice").interactions.archive(1), (V, N))
    for v in BAD_DATES[:6]:
        add(f"interaction occurred_at {v!r}", lambda c, v=v: c("alice").interactions.add(
            customer=1, channel="phone", subject="s", occurred_at=v), V)
        add(f"task due_at {v!r}", lambda c, v=v: c("alice").tasks.add(kind="care", customer=1, title="t", due_at=v), V)
    add("ticket kind bad", lambda c: c("alice").tickets.add(customer=1, channel="phone", subject="s", kind="rant"), V)
    add("ticket satisfaction 6", lambda c: c("alice").tickets.add(customer=1, channel="phone", subject="s",
                                                                  satisfaction=6), V)
    add("ticket response before opening", lambda c: c("alice").tickets.add(
        customer=1, channel="phone", subject="s", opened_at="2024-06-10", first_response_at="2024-06-09"), V)
    add("ticket resolved without time", lambda c: c("alice").tickets.add(
        customer=1, channel="phone", subject="s", status="resolved", opened_at="2024-06-10",
        resolved_at="2024-06-01"), V)
    add("ticket order of other customer", lambda c: c("alice").tickets.add(
        customer=1, channel="phone", subject="s", order=3), V)
    add("ticket response_due_at read-only", lambda c: c("alice").tickets.add(
        customer=1, channel="phone", subject="s", response_due_at="2030-01-01"), V)
    add("task bad kind", lambda c: c("alice").tasks.add(kind="party", customer=1, title="t", due_at="2024-07-01"), V)
    add("task effect 0", lambda c: c("alice").tasks.add(kind="care", customer=1, title="t", due_at="2024-07-01",
                                                        effect_score=0), V)
    add("task no due", lambda c: c("alice").tasks.add(kind="care", customer=1, title="t"), V)
    add("task unknown assignee", lambda c: c("alice").tasks.add(kind="care", customer=1, title="t",
                                                                due_at="2024-07-01", assigned_to="ghost"), V)
    add("campaign end before start", lambda c: c("alice").campaigns.add(
        name="c", kind="promotion", channel="sms", start_date="2024-06-10", end_date="2024-06-01"), V)
    add("campaign budget negative", lambda c: c("alice").campaigns.add(name="c", kind="promotion", channel="sms",
                                                                      budget=-100), V)
    add("campaign channel fax", lambda c: c("alice").campaigns.add(name="c", kind="promotion", channel="fax"), V)
    add("campaign kind bad", lambda c: c("alice").campaigns.add(name="c", kind="spam", channel="sms"), V)
    add("opportunity negative amount", lambda c: c("alice").opportunities.add(name="o", customer=1, amount=-1), V)
    add("opportunity probability 101", lambda c: c("alice").opportunities.add(name="o", customer=1, amount=1,
                                                                             probability=101), V)
    add("opportunity no amount", lambda c: c("alice").opportunities.add(name="o", customer=1), V)
    add("opportunity unknown stage", lambda c: c("alice").opportunities.add(name="o", customer=1, amount=1,
                                                                           stage="heaven"), V)
    add("move unknown opportunity", lambda c: c("alice").opportunities.move(999, "won"), N)
    add("resolve unknown ticket", lambda c: c("alice").tickets.resolve(999, "done"), N)
    add("complete unknown task", lambda c: c("alice").tasks.complete(999), N)
    add("complete task effect 9", lambda c: c("alice").tasks.complete(1, effect_score=9), (V, N))

    # --- wrong roles
    for coll in ("customers", "suppliers", "contacts", "interactions", "tickets", "campaigns", "opportunities", "tasks"):
        add(f"analyst adds {coll}", lambda c, coll=coll: getattr(c("ana"), coll).add(name="x"), P)
        add(f"analyst deletes {coll}", lambda c, coll=coll: getattr(c("ana"), coll).delete(1), P)
        add(f"analyst imports {coll}", lambda c, coll=coll: c("ana").import_csv(pd.DataFrame({"name": ["x"]}), coll), P)
    add("rep reads other rep's customer", lambda c: c("bob").customers.get(2), P)
    add("rep updates other rep's customer", lambda c: c("bob").customers.update(2, city="x"), P)
    add("rep gives customer away", lambda c: c("bob").customers.update(1, owner="rita"), P)
    add("rep deletes own customer", lambda c: c("bob").customers.delete(4), P)
    add("rep adds contact to other's customer", lambda c: c("bob").contacts.add(name="c", customer=2), P)
    add("rep creates customer for other", lambda c: c("bob").customers.add(**OK_CUSTOMER, owner="rita"), P)
    add("manager updates other team", lambda c: c("mary").customers.update(2, city="x"), P)
    add("agent creates opportunity", lambda c: c("sam").opportunities.add(name="o", customer=1, amount=1), P)
    add("agent deletes ticket", lambda c: c("sam").tickets.delete(1), (P, N))
    add("rep backs up", lambda c: c("bob").backup("x.db"), P)
    add("analyst restores", lambda c: c("ana").restore("x.db"), P)
    add("rep merges", lambda c: c("bob").merge(1, 3), P)
    add("analyst runs automation", lambda c: c("ana").run_automation(), P)
    add("analyst regrades", lambda c: c("ana").regrade(apply=True, important_min=1), P)
    add("unknown user", lambda c: c("mallory"), N)
    add("user name injection", lambda c: c("alice' OR '1'='1"), N)

    # --- conflicts and data tools
    add("delete customer with orders", lambda c: c("alice").customers.delete(1), C)
    add("merge into itself", lambda c: c("alice").merge(1, 1), C)
    add("merge unknown", lambda c: c("alice").merge(1, 999), N)
    add("import bad phone row", lambda c: c("alice").import_csv(io.StringIO("name,phone\nA,13911110009\nB,12x\n")), V)
    add("import unknown column", lambda c: c("alice").import_csv(io.StringIO("name,phone,shoe\nA,13911110009,42\n")), V)
    add("import mapping missing column", lambda c: c("alice").import_csv(
        io.StringIO("name,phone\nA,13911110009\n"), mapping={"手机": "phone"}), V)
    add("import duplicate in file", lambda c: c("alice").import_csv(
        io.StringIO("name,phone\nA,13911110009\nB,13911110009\n")), C)
    add("import duplicate of stored phone", lambda c: c("alice").import_csv(
        io.StringIO("name,phone\nA,13800000002\n")), C)
    add("import injection phone", lambda c: c("alice").import_csv(
        io.StringIO("name,phone\nA,'; DROP TABLE customers;--\n")), V)
    add("import bad date", lambda c: c("alice").import_csv(
        io.StringIO("name,phone,birth_date\nA,13911110009,2024-02-30\n")), V)
    add("import negative money", lambda c: c("alice").import_csv(
        io.StringIO("name,phone,credit_limit\nA,13911110009,-5\n")), V)
    add("import bad on_duplicate", lambda c: c("alice").import_csv(io.StringIO("name\nA\n"), on_duplicate="merge"), V)
    add("import to unknown entity", lambda c: c("alice").import_csv(io.StringIO("name\nA\n"), "orders"), V)
    add("history of unknown entity", lambda c: c("alice").history("users; --", 1), V)
    add("campaign member unknown customer", lambda c: c("alice").campaigns.add_members(1, [1, 999]), (V, N))
    add("SLA bad as_of", lambda c: c("alice").complaint_sla(as_of="tomorrow"), V)
    add("follow-up days negative", lambda c: c("alice").schedule_follow_up(1, days=-3), V)
    add("follow-up unknown customer", lambda c: c("alice").schedule_follow_up(999, days=3), V)
    add("regrade bad threshold", lambda c: c("alice").regrade(apply=True, important_min=-1), V)
    add("search bad page", lambda c: c("alice").customers.search(page=0), V)
    add("search bad status", lambda c: c("alice").customers.search(status="x' OR 1=1"), V)
    return out


CASES = cases()


def test_there_are_at_least_200_cases():
    assert len(CASES) >= 200


def _digest(db, tables) -> dict:
    """A fast per-table digest of every row (same engine before/after, so raw rows suffice)."""
    out = {}
    with db.engine.connect() as conn:
        for t in tables:
            rows = conn.exec_driver_sql(f"SELECT * FROM {t}").fetchall()
            out[t] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
    return out


def test_hostile_inputs(small_db, crm_as):
    watched = list(WATCHED)
    full_before = table_hashes(small_db)
    before = _digest(small_db, watched)
    failures = []
    cache = {}

    def as_user(name):
        if name not in cache:
            cache[name] = crm_as(name)
        return cache[name]

    for label, fn, exc in CASES:
        try:
            fn(as_user)
        except exc as err:
            if not isinstance(err, CrmlabError) or not err.field or not err.reason:
                failures.append(f"{label}: error without field/reason: {err!r}")
            elif not err.message("zh"):
                failures.append(f"{label}: no Chinese message")
        except Exception as err:  # noqa: BLE001 - the point: any other error type is a failure
            failures.append(f"{label}: expected {exc}, got {type(err).__name__}: {err}")
        else:
            failures.append(f"{label}: no error")
        after = _digest(small_db, watched)
        if after != before:
            failures.append(f"{label}: changed {[t for t in watched if after[t] != before[t]]}")
            before = after
    assert not failures, "\n".join(failures)
    assert table_hashes(small_db) == full_before        # every table, engine-independent hash


def test_injection_text_is_stored_verbatim(small_db, crm_as):
    """In free-text fields an injection string is just text: stored as typed, nothing executed."""
    crm = crm_as("alice")
    n_before = crm.customers.count(include_archived=True)
    for text in INJECTIONS:
        cid = crm.customers.add(name=text, phone="13912340000", address=text)
        assert crm.customers.get(cid)["name"] == text.strip()
    assert crm.customers.count(include_archived=True) == n_before + len(INJECTIONS)
    assert set(small_db.table_names()) >= set(WATCHED)
    assert len(crm.customers.search(name="DROP TABLE")) >= 2
