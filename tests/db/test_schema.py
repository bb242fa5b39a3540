"""The one schema on both engines: it creates, it refuses bad rows, and it reads back alike."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
import sqlalchemy as sa

import crmlab
from crmlab.db import make_engine, schema
from crmlab.errors import ConfigError


TS = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


@pytest.fixture
def empty_schema(engine_url):
    engine = make_engine(engine_url)
    schema.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _insert(engine, table, **values):
    values = {k: (datetime.fromisoformat(v) if isinstance(v, str) and TS.fullmatch(v) else v)
              for k, v in values.items()}
    with engine.begin() as conn:
        conn.execute(schema.table(table).insert().values(**values))


def _count(engine, table):
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(schema.table(table))).scalar_one()


def _base_rows(engine):
    _insert(engine, "customer_categories", category_id=1, code="ordinary", name="Ordinary", name_zh="一般客户",
            name_zh_alt="基础客户", sort_order=1)
    _insert(engine, "customers", customer_id=1, customer_code="C1", customer_type="person", name="王芳",
            category_id=1, registered_at="2024-01-01 10:00:00", created_at="2024-01-01 10:00:00",
            updated_at="2024-01-01 10:00:00")


def test_every_table_is_created(empty_schema):
    names = set(sa.inspect(empty_schema).get_table_names())
    assert names == set(schema.TABLES)
    assert {"customers", "suppliers", "contacts", "interactions", "orders", "order_lines", "holdout_orders",
            "tickets", "survey_answers", "campaign_members", "opportunity_stage_history", "tasks", "users",
            "audit_log", "crmlab_meta", "truth_customers"} <= names


BAD_ROWS = [
    ("customers", dict(customer_id=2, customer_code="C1", customer_type="person", name="dup code", category_id=1,
                       registered_at="2024-01-01 10:00:00", created_at="2024-01-01 10:00:00",
                       updated_at="2024-01-01 10:00:00")),                                  # duplicate code
    ("customers", dict(customer_id=3, customer_code="C3", customer_type="alien", name="x", category_id=1,
                       registered_at="2024-01-01 10:00:00", created_at="2024-01-01 10:00:00",
                       updated_at="2024-01-01 10:00:00")),                                  # bad enumeration
    ("customers", dict(customer_id=4, customer_code="C4", customer_type="person", name="x", category_id=1,
                       email="not-an-email", registered_at="2024-01-01 10:00:00",
                       created_at="2024-01-01 10:00:00", updated_at="2024-01-01 10:00:00")),  # bad e-mail
    ("customers", dict(customer_id=5, customer_code="C5", customer_type="person", name="x", category_id=99,
                       registered_at="2024-01-01 10:00:00", created_at="2024-01-01 10:00:00",
                       updated_at="2024-01-01 10:00:00")),                                  # unknown category (FK)
    ("customers", dict(customer_id=6, customer_code="C6", customer_type="person", name="  ", category_id=1,
                       registered_at="2024-01-01 10:00:00", created_at="2024-01-01 10:00:00",
                       updated_at="2024-01-01 10:00:00")),                                  # blank name
    ("orders", dict(order_id=1, order_no="O1", customer_id=1, channel="web", status="paid",
                    ordered_at="2024-02-01 10:00:00", due_at="2024-02-02 10:00:00", paid_at="2024-02-01 10:05:00",
                    n_items=1, gross_amount=-5, discount=0, amount=-5, cost=0)),            # negative money
    ("orders", dict(order_id=2, order_no="O2", customer_id=999, channel="web", status="placed",
                    ordered_at="2024-02-01 10:00:00", due_at="2024-02-02 10:00:00", n_items=1,
                    gross_amount=5, discount=0, amount=5, cost=1)),                          # missing customer
    ("orders", dict(order_id=3, order_no="O3", customer_id=1, channel="web", status="paid",
                    ordered_at="2024-02-01 10:00:00", due_at="2024-02-02 10:00:00", n_items=1,
                    gross_amount=5, discount=0, amount=5, cost=1)),                          # paid without paid_at
    ("orders", dict(order_id=4, order_no="O4", customer_id=1, channel="web", status="paid",
                    ordered_at="2024-02-01 10:00:00", due_at="2024-01-01 10:00:00", paid_at="2024-02-01 10:00:00",
                    n_items=1, gross_amount=5, discount=0, amount=5, cost=1)),               # due before ordered
    ("contacts", dict(contact_id=1, customer_id=1, supplier_id=None, name="x", buying_role="king",
                      created_at="2024-01-01 10:00:00", updated_at="2024-01-01 10:00:00")),  # bad buying role
    ("contacts", dict(contact_id=2, customer_id=None, supplier_id=None, name="x",
                      created_at="2024-01-01 10:00:00", updated_at="2024-01-01 10:00:00")),  # no parent
    ("tickets", dict(ticket_id=1, ticket_no="T1", customer_id=1, kind="complaint", category="logistics",
                     channel="phone", subject="late", opened_at="2024-03-01 10:00:00",
                     response_due_at="2024-02-01 10:00:00")),                                 # due before opened
    ("tasks", dict(task_id=1, kind="care", customer_id=1, title="x", due_at="2024-03-01 10:00:00", status="done",
                   created_at="2024-03-01 10:00:00")),                                        # done, no completed_at
    ("survey_instruments", dict(instrument_id=1, code="csi", name="x", name_zh="x", scale_min=5, scale_max=1)),
    ("audit_log", dict(audit_id=1, at="2024-03-01 10:00:00", username="a", action="update", entity="customers",
                       record_id=1)),                                                         # update without field
]


@pytest.mark.parametrize("table,row", BAD_ROWS, ids=[f"{t}-{i}" for i, (t, _) in enumerate(BAD_ROWS)])
def test_constraints_refuse_bad_rows_and_change_nothing(empty_schema, table, row):
    _base_rows(empty_schema)
    before = _count(empty_schema, table)
    with pytest.raises(sa.exc.IntegrityError):
        _insert(empty_schema, table, **row)
    assert _count(empty_schema, table) == before


def test_a_good_row_is_accepted(empty_schema):
    _base_rows(empty_schema)
    _insert(empty_schema, "orders", order_id=1, order_no="O1", customer_id=1, channel="app", status="paid",
            ordered_at="2024-02-01 10:00:00", due_at="2024-02-02 10:00:00", paid_at="2024-02-01 10:01:00",
            n_items=2, gross_amount=100, discount=10, amount=90, cost=50)
    assert _count(empty_schema, "orders") == 1


def test_sqlite_settings(tmp_path):
    db = crmlab.simulate(n_customers=100, seed=1, url=f"sqlite:///{tmp_path / 'c.db'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_read_table_types_are_the_same_on_both_engines(engine_url):
    db = crmlab.simulate(n_customers=120, seed=2, url=engine_url)
    orders = crmlab.read_table(db, "orders")
    assert str(orders.ordered_at.dtype).startswith("datetime64")
    assert orders.amount.dtype == "float64"
    assert orders.order_id.dtype == "int64"
    assert orders.order_id.is_monotonic_increasing
    part = crmlab.read_table(db, "orders", columns=["order_id", "status"], where="status = :s", params={"s": "paid"})
    assert list(part.columns) == ["order_id", "status"] and set(part.status) <= {"paid"}


def test_read_table_names_unknown_tables_and_columns(tmp_path):
    db = crmlab.simulate(n_customers=50, seed=1, url="sqlite://")
    with pytest.raises(ConfigError, match="no table 'order'"):
        crmlab.read_table(db, "order")
    with pytest.raises(ConfigError) as err:
        crmlab.read_table(db, "orders", columns=["amount", "price"])
    assert err.value.field == "columns" and "price" in err.value.reason


def test_connect_refuses_an_empty_or_unreachable_database(tmp_path):
    with pytest.raises(ConfigError) as err:
        crmlab.connect(f"sqlite:///{tmp_path / 'empty.db'}")
    assert err.value.field == "url" and "no crmlab database" in err.value.reason
    with pytest.raises(ConfigError) as err:
        crmlab.connect("postgresql+psycopg://nobody:pw@127.0.0.1:1/none?connect_timeout=2")
    assert err.value.field == "url" and "cannot connect" in err.value.reason
    with pytest.raises(ConfigError):
        crmlab.connect("not a url")


def test_connect_opens_an_existing_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    built = crmlab.simulate(n_customers=60, seed=9, url=url)
    again = crmlab.connect(url)
    assert crmlab.fingerprint(again) == crmlab.fingerprint(built)


def test_default_location_is_the_crmlab_home(tmp_path, monkeypatch):
    monkeypatch.setenv("CRMLAB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CRMLAB_DB_URL", raising=False)
    db = crmlab.simulate(n_customers=40, seed=1)
    assert (tmp_path / "home" / "crmlab.db").exists()
    assert crmlab.connect().url == db.url
