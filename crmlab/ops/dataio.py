"""Data tools: CSV import (mapping, dry run, duplicates, upsert, all-or-nothing), export, merge.

>>> import crmlab                                                          # doctest: +SKIP
>>> crm = crmlab.CRM(db, user="admin")                                     # doctest: +SKIP
>>> report = crm.import_csv("new_customers.csv", mapping={"手机": "phone", "姓名": "name"},
...                         dry_run=True)                                  # doctest: +SKIP
>>> report.summary                                                         # doctest: +SKIP
{'rows': 120, 'insert': 118, 'update': 2, 'skip': 0}
"""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from crmlab.db import schema
from crmlab.db.io import bulk_insert
from crmlab.errors import Conflict, CrmlabError, ValidationError
from crmlab.ops import audit
from crmlab.ops.access import deny
from crmlab.ops.entities import LONG_TEXT, SHORT_TEXT
from crmlab.ops.fields import EMAIL_RE, PHONE_RE, fail, is_missing
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


_KEY_COLS = {e: [((k if isinstance(k, tuple) else (k,)), "+".join(k if isinstance(k, tuple) else (k,)))
                for k in keys] for e, keys in DUPLICATE_KEYS.items()}


def _dup_keys(entity: str, values) -> list[tuple[str, str]]:
    """(key name, normalised key text) for each duplicate key the record has (phone, e-mail, name+city)."""
    out = []
    for cols, name in _KEY_COLS.get(entity, ()):
        if len(cols) == 1:
            v = values.get(cols[0])
            if v is not None:
                out.append((name, str(v).lower()))
        else:
            a, b = values.get(cols[0]), values.get(cols[1])
            if a is not None and b is not None:
                out.append((name, f"{str(a).lower()}\x1f{str(b).lower()}"))
    return out


def _stored_keys(conn, entity: str, table, pk: str) -> dict[tuple[str, str], int]:
    """The duplicate keys of the active records already stored → their (smallest) id."""
    cols = sorted({c for k in DUPLICATE_KEYS[entity] for c in (k if isinstance(k, tuple) else (k,))})
    res = conn.execute(sa.select(table.c[pk], *[table.c[c] for c in cols]).where(table.c.status == "active")
                       .order_by(table.c[pk].desc()))
    df = pd.DataFrame(res.fetchall(), columns=[pk, *cols])
    out: dict[tuple[str, str], int] = {}
    for kcols, name in _KEY_COLS[entity]:
        sub = df.dropna(subset=list(kcols))
        if sub.empty:
            continue
        keys = sub[kcols[0]].astype(str).str.lower()
        for c in kcols[1:]:
            keys = keys + "\x1f" + sub[c].astype(str).str.lower()
        out.update(zip(((name, k) for k in keys), sub[pk].astype(int)))   # descending ids: smallest wins
    return out


def _stored_column(values: list) -> list:
    """A column in stored form; each distinct timestamp is formatted once."""
    memo: dict = {}
    out = []
    for v in values:
        if isinstance(v, dt.date):
            if v not in memo:
                memo[v] = _stored_form(v)
            out.append(memo[v])
        else:
            out.append(v)
    return out


def _stored_form(value):
    """A value as bulk_insert wants it (timestamps and dates as text)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _coerce_columns(conn, coll, df: pd.DataFrame, use: list[bool], cache: dict) -> list[dict | None]:
    """Validate and type the file column by column (each distinct value once); ``None`` for rows not used.

    Same rules as a single ``add`` (it calls the collection's own field coercion); an error names
    the first row holding the bad value.
    """
    ent = coll.ent
    cols = set(coll.table.c.keys())
    n = len(df)
    frame = df.copy()
    for col, val in ent.defaults.items():
        aliases = [k for k, v in coll.ALIASES.items() if v == col and k not in cols]
        given = [c for c in [col, *aliases] if c in frame.columns]
        if not given:
            frame[col] = val
        else:
            frame[given[0]] = [val if is_missing(v) else v for v in frame[given[0]]]
    out_cols: dict[str, list] = {}
    for key in frame.columns:
        col = key if key in cols else coll.ALIASES.get(key, key)
        if col == ent.pk or col in ent.read_only:
            for i in range(n):
                if use[i] and not is_missing(frame[key].iat[i]):
                    raise _row_error(ValidationError(col, render("ops.read_only"), key="ops.read_only"), i + 1)
            continue
        values = frame[key].tolist()
        fast = _fast_column(coll, col, values, use)
        if fast is not None:
            out_cols[col] = fast
            continue
        mapping: dict = {}
        typed = []
        for i, v in enumerate(values):
            if not use[i]:
                typed.append(None)
                continue
            try:
                hit = mapping.get(v, _MISS) if isinstance(v, (str, int, float, type(None))) else _MISS
            except TypeError:
                hit = _MISS
            if hit is _MISS:
                try:
                    if col == "status" and v == "merged":
                        fail(col, "ops.read_only")
                    hit = coll._coerce(conn, col, v, cache)
                except CrmlabError as exc:
                    raise _row_error(exc, i + 1) from None
                if isinstance(v, (str, int, float, type(None))):
                    mapping[v] = hit
            typed.append(hit)
        out_cols[col] = typed
    names = list(out_cols)
    rows = [dict(zip(names, vals)) for vals in zip(*out_cols.values())] if names else [{} for _ in range(n)]
    return [{k: v for k, v in r.items() if v is not None} if use[i] else None for i, r in enumerate(rows)]


_MISS = object()


def _fast_column(coll, col: str, values: list, use: list[bool]) -> list | None:
    """Vectorised checks for plain text, phone and e-mail columns of strings; ``None`` to fall back
    to the value-by-value path (which also produces the error message for a bad value)."""
    ent = coll.ent
    if col in coll._fks or col in coll._enums or col in coll._flags:
        return None
    ctype = coll.table.c[col].type
    is_text = isinstance(ctype, sa.Text) or type(ctype) is sa.String
    if not (is_text or col in ent.phone or col in ent.email):
        return None
    s = pd.Series(values, dtype=object)
    if not all(v is None or isinstance(v, str) for v in values):
        return None
    s = s.where(pd.Series(use), None)
    text = s.str.strip()
    missing = text.isna() | (text == "")
    if col in ent.phone:
        out = text.str.replace(r"[\s\-()]", "", regex=True)
        ok = missing | (out.str.len().le(20) & out.str.fullmatch(PHONE_RE.pattern).fillna(False).astype(bool))
    elif col in ent.email:
        out = text.str.lower()
        ok = missing | (out.str.len().le(254) & out.str.fullmatch(EMAIL_RE.pattern).fillna(False).astype(bool))
    else:
        out = text
        max_len = LONG_TEXT if col in ent.long_text else SHORT_TEXT
        ok = missing | (out.str.len().le(max_len) & ~out.str.contains("\x00", regex=False).fillna(False))
    if not ok.all():
        return None
    out = out.where(~missing, None)
    return out.tolist()


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
    n_rows = len(df)
    code_values = df[ent.code].tolist() if ent.code and ent.code in df.columns else [None] * n_rows
    t = coll.table
    pk = ent.pk

    def work(conn):
        scope = crm.scope(entity, "import")
        cache: dict = {}
        existing_codes = {}
        if ent.code and ent.code in df.columns:
            codes = [c for c in code_values if not is_missing(c)]
            for chunk in range(0, len(codes), 5000):
                part = codes[chunk:chunk + 5000]
                existing_codes.update(dict(conn.execute(sa.select(t.c[ent.code], t.c[pk])
                                                        .where(t.c[ent.code].in_(part))).fetchall()))
        stored = _stored_keys(conn, entity, t, pk) if entity in DUPLICATE_KEYS else {}
        seen: dict[tuple, int] = {}
        defaults = coll._defaults(conn)
        is_update = [not is_missing(c) and c in existing_codes for c in code_values]
        cleaned = _coerce_columns(conn, coll, df, [not u for u in is_update], cache)
        plan = []       # (row_no, action, values / clean row, target id)
        for i in range(1, n_rows + 1):
            try:
                if is_update[i - 1]:
                    rec = {k: v for k, v in df.iloc[i - 1].items() if not is_missing(v)}
                    plan.append((i, "update", rec, existing_codes[rec[ent.code]]))
                    continue
                row = {**defaults, **cleaned[i - 1]}
                coll._derive(conn, row, None)
                coll._check_row(conn, row, None, check_code=False)
                if not coll._owners_ok(conn, row, scope):
                    deny(crm.user, entity, "import", scope, out_of_scope=True)
            except CrmlabError as exc:
                raise _row_error(exc, i) from None
            dup_target, dup_on = None, None
            keys = _dup_keys(entity, row)
            for name, key in keys:
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
            for name, key in keys:
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
            stored = {c: _stored_column([r.get(c) for r in rows]) for c in cols}
            bulk_insert(conn, t.name, stored)
            txn, n = audit.new_txn(), len(rows)
            snaps = [json.dumps({c: v for c, v in zip(cols, vals) if v is not None}, ensure_ascii=False,
                                sort_keys=True) for vals in zip(*stored.values())]
            bulk_insert(conn, "audit_log", {
                "at": [_stored_form(crm.now)] * n, "username": [crm.user.username] * n, "action": ["import"] * n,
                "entity": [entity] * n, "record_id": stored[pk], "field": [None] * n,
                "old_value": [None] * n, "new_value": snaps, "txn": [txn] * n})
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
