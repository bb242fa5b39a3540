"""The audit log (操作日志): who changed what, when, each field's old and new value; append-only.

:func:`install_guards` adds triggers that refuse UPDATE, DELETE (and, on PostgreSQL, TRUNCATE) on
``audit_log``; the simulator calls it right after creating the schema. Rows are written by
:func:`write` inside the same transaction as the change they describe, so a failed write leaves
no audit row behind and a committed write always has one.
"""
from __future__ import annotations

import json
import uuid

import pandas as pd
import sqlalchemy as sa

from crmlab.db import schema
from crmlab.ops.fields import fmt

SQLITE_GUARDS = (
    "CREATE TRIGGER IF NOT EXISTS trg_audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS trg_audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)
PG_GUARDS = (
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "DROP TRIGGER IF EXISTS trg_audit_log_append_only ON audit_log",
    "CREATE TRIGGER trg_audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "DROP TRIGGER IF EXISTS trg_audit_log_no_truncate ON audit_log",
    "CREATE TRIGGER trg_audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
)


def install_guards(conn) -> None:
    """Make ``audit_log`` append-only with triggers (SQLite or PostgreSQL); safe to call twice.

    ``conn`` is a SQLAlchemy Connection (inside the caller's transaction) or an Engine.

    >>> import sqlalchemy as sa
    >>> from crmlab.db import schema
    >>> eng = sa.create_engine("sqlite://")
    >>> schema.metadata.create_all(eng)
    >>> with eng.begin() as conn:
    ...     install_guards(conn)
    """
    if isinstance(conn, sa.Engine):
        with conn.begin() as c:
            install_guards(c)
        return
    statements = PG_GUARDS if conn.dialect.name == "postgresql" else SQLITE_GUARDS
    for stmt in statements:
        conn.exec_driver_sql(stmt)


def is_guard_error(exc: BaseException) -> bool:
    return "append-only" in str(exc)


def new_txn() -> str:
    return uuid.uuid4().hex[:16]


def snapshot(values: dict) -> str:
    """A record as JSON text, empty fields left out (the audit row of a create, import or delete)."""
    return json.dumps({k: v for k, v in values.items() if v is not None}, ensure_ascii=False, sort_keys=True,
                      default=fmt)


def rows_for_change(at, username, action, entity, record_id, changes: dict, txn) -> list[dict]:
    """One audit row per changed field: ``changes`` maps field -> (old, new)."""
    return [
        {"at": at, "username": username, "action": action, "entity": entity, "record_id": int(record_id),
         "field": f, "old_value": fmt(old), "new_value": fmt(new), "txn": txn}
        for f, (old, new) in changes.items()
    ]


def write(conn, rows: list[dict]) -> None:
    """Append audit rows inside the caller's transaction."""
    if rows:
        conn.execute(schema.audit_log.insert(), rows)


def history(conn, entity: str, record_id: int) -> pd.DataFrame:
    """Every audit row of one record, oldest first."""
    t = schema.audit_log
    q = (sa.select(t.c.at, t.c.username, t.c.action, t.c.field, t.c.old_value, t.c.new_value, t.c.txn)
         .where(t.c.entity == entity, t.c.record_id == int(record_id)).order_by(t.c.at, t.c.audit_id))
    res = conn.execute(q)
    df = pd.DataFrame(res.fetchall(), columns=list(res.keys()))
    if len(df):
        df["at"] = pd.to_datetime(df["at"])
    return df


__all__ = ["install_guards", "write", "history", "rows_for_change", "snapshot", "new_txn"]
