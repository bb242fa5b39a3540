"""Backup and restore (数据备份): SQLite's online backup API, or a PostgreSQL data dump in
``pg_dump``'s plain format (``COPY … FROM stdin`` blocks), restorable by :func:`restore`.

A restore returns the database to the state it had when the backup was taken; each backup is
logged in ``backup_runs`` (after the copy, so the log row is not part of the copy itself).
Only the administrator may back up or restore.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from crmlab.db import schema
from crmlab.db.io import reset_sequences, sqlite_copy
from crmlab.ops.access import deny
from crmlab.ops.audit import install_guards
from crmlab.ops.fields import fail


def _require_admin(crm, action: str) -> None:
    if crm.user.role != "admin":
        deny(crm.user, "backup", action, "none")


def _copy_text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, dt.datetime):
        value = value.strftime("%Y-%m-%d %H:%M:%S")
    elif isinstance(value, dt.date):
        value = value.isoformat()
    text = str(value)
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r"))


def _uncopy(text: str):
    if text == r"\N":
        return None
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def dump_sql(conn, fh) -> None:
    """Write every crmlab table's rows as ``COPY public.<table> (…) FROM stdin;`` blocks."""
    fh.write("-- crmlab data dump (pg_dump plain format, data only)\n")
    fh.write("SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\n")
    present = set(sa.inspect(conn).get_table_names())
    for t in schema.metadata.sorted_tables:
        if t.name not in present:
            continue
        cols = [c.name for c in t.columns]
        quoted = ", ".join(f'"{c}"' if c == "group" else c for c in cols)
        fh.write(f"COPY public.{t.name} ({quoted}) FROM stdin;\n")
        order = [t.c[c.name] for c in t.primary_key.columns] or [t.c[cols[0]]]
        for row in conn.execute(sa.select(t).order_by(*order)):
            fh.write("\t".join(_copy_text(v) for v in row) + "\n")
        fh.write("\\.\n\n")


def load_sql(conn, fh) -> None:
    """Load a dump written by :func:`dump_sql` (or ``pg_dump --data-only`` of a crmlab database)."""
    table, cols, rows = None, None, []

    def flush():
        if table is None or not rows:
            return
        t = schema.table(table)
        typed = []
        for r in rows:
            typed.append({c: _typed(t.c[c], v) for c, v in zip(cols, r)})
        conn.execute(t.insert(), typed)

    for line in fh:
        line = line.rstrip("\n")
        if table is None:
            if line.startswith("COPY "):
                head = line[5:line.index("(")].strip()
                table = head.split(".")[-1]
                cols = [c.strip().strip('"') for c in line[line.index("(") + 1:line.index(")")].split(",")]
                rows = []
            continue
        if line == "\\.":
            flush()
            table = None
            continue
        rows.append([_uncopy(v) for v in line.split("\t")])


def _typed(col, value):
    if value is None:
        return None
    t = col.type
    if isinstance(t, sa.DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(t, sa.Date):
        return dt.date.fromisoformat(value[:10])
    if isinstance(t, sa.Integer):
        return int(value)
    if isinstance(t, (sa.Float, sa.Numeric)):
        return float(value)
    return value


def backup(crm, path) -> dict:
    """Copy the whole database to ``path`` (SQLite: a database file; PostgreSQL: a ``.sql`` dump)."""
    _require_admin(crm, "backup")
    path = Path(path)
    if not path.parent.exists():
        fail("path", "ops.bad_file", problem=f"folder {path.parent.name!r} does not exist")
    engine = crm.engine
    if engine.dialect.name == "sqlite":
        method = "sqlite_backup"
        sqlite_copy(engine, path)
    else:
        method = "sql_dump"
        with engine.connect() as conn, open(path, "w", encoding="utf-8") as fh:
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            dump_sql(conn, fh)
    n_bytes = path.stat().st_size

    def log(conn):
        conn.execute(schema.backup_runs.insert().values(at=crm.now, username=crm.user.username, method=method,
                                                         path=path.name, n_bytes=n_bytes))
    crm.run(log)
    return {"method": method, "path": str(path), "n_bytes": n_bytes}


def restore(crm, path) -> dict:
    """Replace the database's content with the backup at ``path`` (same engine as the backup)."""
    _require_admin(crm, "restore")
    path = Path(path)
    if not path.exists():
        fail("path", "ops.bad_file", problem=f"{path.name!r} does not exist")
    engine = crm.engine
    if engine.dialect.name == "sqlite":
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            source.execute("SELECT count(*) FROM crmlab_meta").fetchone()
        except sqlite3.DatabaseError as exc:
            fail("path", "ops.bad_file", problem=str(exc))
        raw = crm.writer.raw_connection() if crm.writer is not engine else engine.raw_connection()
        try:
            source.backup(raw.driver_connection)
        finally:
            source.close()
            raw.close()
        method = "sqlite_backup"
    else:
        method = "sql_dump"
        with open(path, encoding="utf-8") as fh:
            head = fh.read(200)
        if "COPY" not in head and "crmlab" not in head:
            fail("path", "ops.bad_file", problem="not a crmlab SQL dump")
        with engine.begin() as conn:
            schema.metadata.drop_all(conn)
            schema.metadata.create_all(conn)
            with open(path, encoding="utf-8") as fh:
                load_sql(conn, fh)
            reset_sequences(conn)
            install_guards(conn)
    return {"method": method, "path": str(path)}


METHODS = {"backup": backup, "restore": restore}
