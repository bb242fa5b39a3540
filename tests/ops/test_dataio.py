"""CSV import, export, duplicate finding and merge, backup and restore (both engines)."""
from __future__ import annotations

import io

import pandas as pd
import pytest
import sqlalchemy as sa

import crmlab
from crmlab.db.io import table_hashes
from crmlab.errors import Conflict, PermissionDenied, ValidationError

from conftest import NOW

CSV = ("姓名,手机,城市,customer_code,类别\n"
       "赵一,13911110001,杭州,,potential\n"
       "钱二,13911110002,北京,C000002,ordinary\n"       # existing code → update
       "孙三,13911110003,上海,,important\n")
MAP = {"姓名": "name", "手机": "phone", "城市": "city", "类别": "category"}


def test_import_with_mapping_dry_run_and_upsert(small_db, crm_as):
    crm = crm_as("alice")
    before = table_hashes(small_db)
    dry = crm.import_csv(io.StringIO(CSV), mapping=MAP, dry_run=True)
    assert dry.summary == {"rows": 3, "insert": 2, "update": 1, "skip": 0}
    assert table_hashes(small_db) == before                       # a dry run writes nothing
    rep = crm.import_csv(io.StringIO(CSV), mapping=MAP)
    assert rep.summary == dry.summary
    assert crm.customers.get("C000002")["name"] == "钱二"          # upsert by code
    new = rep.rows.loc[rep.rows.action == "insert", "id"].tolist()
    assert [crm.customers.get(i)["name"] for i in new] == ["赵一", "孙三"]
    assert crm.customers.get(new[1])["category_id"] == 1
    audit = small_db.sql("SELECT action, record_id FROM audit_log WHERE entity='customers' ORDER BY audit_id")
    assert (audit.action == "import").sum() == 2 and set(audit.loc[audit.action == "update", "record_id"]) == {2}


def test_import_is_all_or_nothing_and_names_row_and_field(small_db, crm_as):
    crm = crm_as("alice")
    before = table_hashes(small_db)
    bad = "name,phone,email\n甲,13911110011,a@example.com\n乙,13911110012,not-an-email\n"
    with pytest.raises(ValidationError) as err:
        crm.import_csv(io.StringIO(bad))
    assert err.value.field == "email" and err.value.row == 2 and "row 2" in str(err.value)
    assert table_hashes(small_db) == before


@pytest.mark.parametrize("rows, key", [
    ("name,phone\n甲,13911110021\n乙,13911110021\n", "phone"),                       # within the file
    ("name,phone,email\n甲,13911110022,wangfang@example.com\n", "email"),          # stored e-mail
    ("name,phone,city\n张伟,13911110023,上海\n", "name+city"),                       # stored name + city
])
def test_duplicates_are_detected(small_db, crm_as, rows, key):
    crm = crm_as("alice")
    with pytest.raises(Conflict) as err:
        crm.import_csv(io.StringIO(rows))
    assert err.value.field == key
    assert crm.import_csv(io.StringIO(rows), on_duplicate="skip").summary["skip"] == 1


def test_export_csv_and_excel_follow_scope(small_db, crm_as, tmp_path):
    crm = crm_as("mary")                                  # team 1: customers of bob and mary
    df = crm.export("customers", tmp_path / "c.csv")
    assert set(df.customer_code) == {"C000001", "C000003", "C000005"}
    back = pd.read_csv(tmp_path / "c.csv", encoding="utf-8-sig", dtype=str)
    assert list(back.customer_code) == list(df.customer_code)
    crm.export("customers", tmp_path / "c.xlsx")
    assert list(pd.read_excel(tmp_path / "c.xlsx", dtype=str).customer_code) == list(df.customer_code)
    with pytest.raises(PermissionDenied):
        crm_as("bob").export("tasks")


def test_find_duplicates_and_merge(small_db, crm_as):
    crm = crm_as("alice")
    d = crm.find_duplicates()
    assert d.values.tolist() == [[1, 5, "name+city"]]
    with small_db.engine.begin() as conn:          # give the duplicate children: a contact, an order, a membership
        conn.execute(sa.text("INSERT INTO contacts (customer_id, name, is_primary, status, created_at, updated_at) "
                             "VALUES (5, '王芳的先生', 0, 'active', '2024-01-01 00:00:00', '2024-01-01 00:00:00')"))
        conn.execute(sa.text("UPDATE orders SET customer_id = 5 WHERE order_id = 2"))
    camp = crm.campaigns.add(name="c", kind="promotion", channel="sms")
    crm.campaigns.add_members(camp, [1, 5])         # both on the list: the duplicate's row must go
    moved = crm.merge(1, 5)
    assert moved == {"contacts": 1, "orders": 1}
    dup = crm.customers.get(5)
    assert dup["status"] == "merged" and dup["merged_into_id"] == 1
    assert small_db.sql("SELECT customer_id FROM orders WHERE order_id = 2").iloc[0, 0] == 1
    assert small_db.sql(f"SELECT customer_id FROM campaign_members WHERE campaign_id = {camp}").customer_id.tolist() == [1]
    assert set(crm.history("customers", 5).field) >= {"status", "merged_into_id"}
    assert "merged_from" in set(crm.history("customers", 1).field)
    assert crm.find_duplicates().empty
    with pytest.raises(Conflict):
        crm.merge(1, 5)                               # already merged
    with pytest.raises(ValidationError):
        crm.customers.update(5, city="x")             # merged records are frozen


def test_backup_restore_round_trip(small_db, crm_as, tmp_path):
    crm = crm_as("alice")
    crm.customers.update(1, city="宁波")
    before = table_hashes(small_db)                   # every table
    suffix = "db" if small_db.dialect == "sqlite" else "sql"
    info = crm.backup(tmp_path / f"backup.{suffix}")
    assert info["n_bytes"] > 0
    assert small_db.sql("SELECT count(*) AS n FROM backup_runs").n.iloc[0] == 1
    crm.customers.add(name="备份后", phone="13955550000")
    crm.customers.delete(4)
    crm.restore(tmp_path / f"backup.{suffix}")
    after = table_hashes(small_db)
    assert after == before
    # the append-only guard survives a restore, and the database is usable
    with pytest.raises(sa.exc.DBAPIError):
        with small_db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM audit_log"))
    assert crm_as("alice").customers.add(name="恢复后", phone="13955550001") > 0
