"""Data tools: CSV import (mapping, dry run, duplicates, upsert, all-or-nothing), export, merge.

>>> import crmlab                                                          # doctest: +SKIP
>>> crm = crmlab.CRM(db, user="admin")                                     # doctest: +SKIP
>>> report = crm.import_csv("new_customers.csv", mapping={"手机": "phone", "姓名": "name"},
...                         dry_run=True)                                  # doctest: +SKIP
>>> report.summary                                                         # doctest: +SKIP
{'rows': 120, 'insert': 118, 'update': 2, 'skip': 0}
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from crmlab.db import schema
from crmlab.errors import Conflict, CrmlabError, ValidationError
from crmlab.ops import audit
from crmlab.ops.access import deny
from crmlab.ops.fields import fail, is_missing
from crmlab.ops.messages import render

DUPLICATE_KEYS = {"customers": ("phone", "email", ("name", "city")),
                  "suppliers": ("phone", "email", ("name", "city")),
                  "contacts": ("phone", "email")}


class _Rollback(Exception):
    """Raised inside a dry run to undo everything after validation."""


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do): one row per input row."""

    rows: pd.DataFrame
    dry_run: bool
    summary: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"ImportReport(dry_run={self.dry_run}, {self.summary})"


def _row_error(exc: CrmlabError, row_no: int) -> CrmlabError:
    """The same error, its reason prefixed by the row number (1 = first data row)."""
    cls = type(exc)
    reason = render("ops.import_row", "en", row=row_no, reason=exc.reason)
    err = cls(exc.field, reason, key=exc.key, **exc.params)
    err.row = row_no
    return err


def _read(source) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source.astype(object).where(source.notna(), None)
    try:
        if isinstance(source, (str, os.PathLike)) and str(source).lower().endswith((".xlsx", ".xls")):
            df = pd.read_excel(source, dtype=str)
        else:
            df = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        fail("file", "ops.bad_file", problem=str(exc).splitlines()[0][:200])
    return df.astype(object).where(df.notna(), None)


def _dup_keys(entity: str, values: dict) -> list[tuple[str, tuple]]:
    out = []
    for key in DUPLICATE_KEYS.get(entity, ()):
        cols = key if isinstance(key, tuple) else (key,)
        vals = tuple(values.get(c) for c in cols)
        if all(v is not None for v in vals):
            out.append(("+".join(cols), tuple(str(v).lower() for v in vals)))
    return out


def import_csv(crm, source, entity: str = "customers", *, mapping: dict | None = None, dry_run: bool = False,
               on_duplicate: str = "error") -> ImportReport:
    """Import a CSV/Excel file (or DataFrame) into ``entity``, all or nothing.

    * ``mapping`` renames file columns to fields (``{"手机": "phone"}``); other columns must already
      be field names (an unknown column is an error naming it).
    * A row whose code (``customer_code`` …) exists updates that record (upsert by code).
    * Duplicates — of another row in the file or of a stored record, on phone, e-mail or
      name + city — are an error (``on_duplicate="error"``), skipped (``"skip"``) or, against a
      stored record, update it (``"update"``).
    * Any bad row rejects the whole file: the error names the row (1 = first data row) and field;
      nothing is written. ``dry_run=True`` validates everything and writes nothing.
    """
    coll = crm._collection(entity)
    ent = coll.ent
    if on_duplicate not in ("error", "skip", "update"):
        fail("on_duplicate", "ops.bad_enum", options="error, skip, update", value=on_duplicate)
    crm.require(entity, "import")
    df = _read(source)
    if mapping:
        if not isinstance(mapping, dict):
            fail("mapping", "ops.bad_type", expected="a dict {file column: field}", got=type(mapping).__name__)
        for src in mapping:
            if src not in df.columns:
                fail("mapping", "ops.missing_column", column=src, columns=", ".join(map(str, df.columns)))
        df = df.rename(columns=mapping)
    fields = set(coll.table.c.keys()) | set(coll.ALIASES)
    for col in df.columns:
        if col not in fields:
            fail(str(col), "ops.unknown_field", entity=entity, fields=", ".join(sorted(coll.table.c.keys())))
    records = df.to_dict("records")
    t = coll.table
    pk = ent.pk

    def work(conn):
        scope = crm.scope(entity, "import")
        cache: dict = {}
        existing_codes = {}
        if ent.code and ent.code in df.columns:
            codes = [r[ent.code] for r in records if not is_missing(r.get(ent.code))]
            for chunk in range(0, len(codes), 5000):
                part = codes[chunk:chunk + 5000]
                existing_codes.update(dict(conn.execute(sa.select(t.c[ent.code], t.c[pk])
                                                        .where(t.c[ent.code].in_(part))).fetchall()))
        stored: dict[tuple, int] = {}
        if entity in DUPLICATE_KEYS:
            cols = sorted({c for k in DUPLICATE_KEYS[entity] for c in (k if isinstance(k, tuple) else (k,))})
            for row in conn.execute(sa.select(t.c[pk], *[t.c[c] for c in cols])
                                    .where(t.c.status == "active")).mappings():
                for name, key in _dup_keys(entity, row):
                    stored.setdefault((name, key), row[pk])
        seen: dict[tuple, int] = {}
        defaults = coll._defaults(conn)
        plan = []       # (row_no, action, values / clean row, target id)
        for i, rec in enumerate(records, start=1):
            rec = {k: v for k, v in rec.items() if not is_missing(v)}
            try:
                code = rec.get(ent.code) if ent.code else None
                target = existing_codes.get(code) if code is not None else None
                if target is not None:
                    plan.append((i, "update", rec, target))
                    continue
                clean = coll._clean(conn, {**ent.defaults, **rec}, creating=True, cache=cache)
                row = {**defaults, **clean}
                coll._derive(conn, row, None)
                coll._check_row(conn, row, None, check_code=False)
                if not coll._owners_ok(conn, row, scope):
                    deny(crm.user, entity, "import", scope, out_of_scope=True)
            except CrmlabError as exc:
                raise _row_error(exc, i) from None
            dup_target, dup_on = None, None
            for name, key in _dup_keys(entity, row):
                if (name, key) in seen:
                    if on_duplicate == "skip":
                        dup_on = name
                        break
                    fail(name, "ops.import_dup", cls=Conflict, row=i, other=f"row {seen[(name, key)]}", on=name)
                if (name, key) in stored:
                    dup_target, dup_on = stored[(name, key)], name
                    break
            if dup_on is not None and dup_target is None:
                plan.append((i, "skip", None, None))
                continue
            if dup_target is not None:
                if on_duplicate == "error":
                    fail(dup_on, "ops.import_dup", cls=Conflict, row=i,
                         other=f"stored {entity} id {dup_target}", on=dup_on)
                if on_duplicate == "skip":
                    plan.append((i, "skip", None, dup_target))
                    continue
                plan.append((i, "update", rec, dup_target))
                continue
            for name, key in _dup_keys(entity, row):
                seen[(name, key)] = i
            plan.append((i, "insert", row, None))
        # ---- write: bulk insert new rows with pre-allocated ids, then per-row upserts
        inserts = [p for p in plan if p[1] == "insert"]
        ids = {}
        if inserts:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"LOCK TABLE {t.name} IN SHARE ROW EXCLUSIVE MODE")
            start = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.c[pk]), 0))).scalar()) + 1
            rows = []
            for n, (i, _, row, _) in enumerate(inserts):
                row = dict(row)
                row[pk] = start + n
                if ent.code and row.get(ent.code) is None:
                    row[ent.code] = f"{ent.code_prefix}{row[pk]:06d}"
                rows.append(row)
                ids[i] = row[pk]
            new_codes = [r[ent.code] for r in rows] if ent.code else []
            if ent.code:
                if len(set(new_codes)) != len(new_codes):
                    fail(ent.code, "ops.duplicate", cls=Conflict, value="(repeated in the file)")
                for chunk in range(0, len(new_codes), 5000):
                    clash = conn.execute(sa.select(t.c[ent.code]).where(
                        t.c[ent.code].in_(new_codes[chunk:chunk + 5000]))).scalar()
                    if clash is not None:
                        fail(ent.code, "ops.duplicate", cls=Conflict, value=clash)
            cols = sorted({c for r in rows for c in r})
            conn.execute(t.insert(), [{c: r.get(c) for c in cols} for r in rows])
            txn = audit.new_txn()
            audit.write(conn, [{"at": crm.now, "username": crm.user.username, "action": "import", "entity": entity,
                                "record_id": r[pk], "field": None, "old_value": None,
                                "new_value": audit.snapshot(r), "txn": txn} for r in rows])
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{t.name}', '{pk}'), "
                                     f"(SELECT MAX({pk}) FROM {t.name}))")
        changes = {}
        for i, action, rec, target in plan:
            if action == "update":
                try:
                    if crm.scope(entity, "update") == "none":
                        deny(crm.user, entity, "update", "none")
                    values = {k: v for k, v in rec.items() if k != ent.code and k != pk}
                    changes[i] = coll._update(conn, int(target), values)
                except CrmlabError as exc:
                    raise _row_error(exc, i) from None
                ids[i] = int(target)
        report = pd.DataFrame({"row": [p[0] for p in plan], "action": [p[1] for p in plan],
                               "id": [ids.get(p[0], p[3]) for p in plan],
                               "changed_fields": [", ".join(changes.get(p[0], {})) for p in plan]})
        if dry_run:
            raise _Rollback(report)
        return report

    try:
        report = crm.run(work)
    except _Rollback as rb:
        report = rb.args[0]
        report["id"] = report["id"].where(report.action != "insert", None)
    counts = report.action.value_counts()
    summary = {"rows": len(report), **{a: int(counts.get(a, 0)) for a in ("insert", "update", "skip")}}
    return ImportReport(rows=report, dry_run=dry_run, summary=summary)


def export(crm, entity: str, path=None, **filters):
    """Export the records in this user's *export* scope to CSV or Excel (by ``path``'s suffix).

    Returns the DataFrame (written to ``path`` when given).
    """
    coll = crm._collection(entity)
    conds = coll._query(action="export", **filters)
    t = coll.table
    q = sa.select(t).where(*conds).order_by(t.c[coll.ent.pk])

    def work(conn):
        res = conn.execute(q)
        return pd.DataFrame(res.fetchall(), columns=list(res.keys()))

    df = crm.read(work)
    if path is None:
        return df
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xls"):
        df.to_excel(path, index=False)
    else:
        df.to_csv(path, index=False, encoding="utf-8-sig")
    return df


# ====================================================================================== duplicates and merge
def find_duplicates(crm, entity: str = "customers") -> pd.DataFrame:
    """Pairs of active records that look like the same party: same phone, same e-mail, or same
    name + city. ``keep_id`` is the older record (smaller id), ``dup_id`` the newer one."""
    if entity not in DUPLICATE_KEYS:
        fail("entity", "ops.bad_enum", options=", ".join(DUPLICATE_KEYS), value=entity)
    coll = crm._collection(entity)
    df = coll.to_frame()
    pk = coll.ent.pk
    out = []
    for key in DUPLICATE_KEYS[entity]:
        cols = list(key) if isinstance(key, tuple) else [key]
        sub = df.dropna(subset=cols)
        if sub.empty:
            continue
        norm = sub[cols].astype(str).apply(lambda s: s.str.lower().str.strip())
        sub = sub.assign(_k=norm.agg("|".join, axis=1))
        g = sub.groupby("_k")[pk]
        first = g.transform("min")
        dups = sub.loc[sub[pk] != first]
        out.append(pd.DataFrame({"keep_id": first[dups.index].to_numpy(), "dup_id": dups[pk].to_numpy(),
                                 "matched_on": "+".join(cols)}))
    if not out:
        return pd.DataFrame(columns=["keep_id", "dup_id", "matched_on"])
    res = pd.concat(out, ignore_index=True)
    res = res.groupby(["keep_id", "dup_id"]).matched_on.agg(", ".join).reset_index()
    return res.sort_values(["keep_id", "dup_id"]).reset_index(drop=True)


#: child tables whose rows follow a merged customer, and the columns that make a row unique there
_UNIQUE_WITH_CUSTOMER = {"campaign_members": ("campaign_id",), "survey_responses": ("instrument_id",),
                         "automation_runs": ("rule_id", "dedupe_key")}
_NOT_MOVED = {"truth_customers", "customers"}


def merge(crm, keep, duplicate) -> dict:
    """Merge customer ``duplicate`` into ``keep`` (合并重复客户), in one audited transaction.

    Child records (orders, contacts, contact records, tickets, tasks, opportunities, campaign
    memberships, survey responses …) are re-pointed to ``keep``; rows that would clash with one
    ``keep`` already has (same campaign, same survey, same automation event) are dropped first.
    Empty fields of ``keep`` are filled from ``duplicate``. ``duplicate`` stays, with
    ``status='merged'`` and ``merged_into_id`` = keep. Returns the number of rows moved per table.
    """
    coll = crm.customers
    keep_id, dup_id = coll._id(keep), coll._id(duplicate)
    if keep_id == dup_id:
        fail("duplicate", "ops.same_record", cls=Conflict)
    crm.require("customers", "update")
    crm.require("customers", "delete")
    c = schema.customers

    def work(conn):
        kept = coll._row(conn, keep_id, lock=True)
        dup = coll._row(conn, dup_id, lock=True)
        for rid in (keep_id, dup_id):
            coll._check_scope(conn, rid, "update")
        for row in (kept, dup):
            if row["status"] == "merged":
                fail("customer_id", "ops.merged", cls=Conflict, value=row["customer_code"])
        txn = audit.new_txn()
        moved = {}
        for t in schema.metadata.sorted_tables:
            if t.name in _NOT_MOVED:
                continue
            for col in t.columns:
                if not any(fk.column.table.name == "customers" for fk in col.foreign_keys):
                    continue
                if t.name in _UNIQUE_WITH_CUSTOMER:
                    other = _UNIQUE_WITH_CUSTOMER[t.name]
                    k = t.alias("k")
                    clash = sa.exists().where(k.c[col.name] == keep_id,
                                              *[k.c[o] == t.c[o] for o in other])
                    conn.execute(t.delete().where(t.c[col.name] == dup_id, clash))
                n = conn.execute(t.update().where(t.c[col.name] == dup_id).values({col.name: keep_id})).rowcount
                if n:
                    moved[t.name] = moved.get(t.name, 0) + n
        fill = {k: dup[k] for k in ("phone", "email", "address", "city", "province", "birth_date", "gender",
                                    "occupation", "monthly_income", "industry", "bank_account")
                if kept.get(k) is None and dup.get(k) is not None}
        if fill.get("email") is not None:
            pass
        if fill:
            conn.execute(c.update().where(c.c.customer_id == keep_id).values(**fill, updated_at=crm.now))
        conn.execute(c.update().where(c.c.customer_id == dup_id)
                     .values(status="merged", merged_into_id=keep_id, updated_at=crm.now))
        changes_keep = {k: (None, v) for k, v in fill.items()}
        changes_keep["merged_from"] = (None, dup_id)
        crm._audit(conn, "merge", "customers", keep_id, changes=changes_keep, txn=txn)
        crm._audit(conn, "merge", "customers", dup_id,
                   changes={"status": (dup["status"], "merged"), "merged_into_id": (None, keep_id),
                            **{f"moved_{k}": (None, v) for k, v in moved.items()}}, txn=txn)
        return moved

    return crm.run(work)


METHODS = {"import_csv": import_csv, "export": export, "find_duplicates": find_duplicates, "merge": merge}
