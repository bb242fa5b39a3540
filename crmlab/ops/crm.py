"""``crmlab.CRM``: the CRM system's Python API (the console widget is a thin shell over it).

>>> import crmlab
>>> db = crmlab.simulate(n_customers=200, seed=1, url="sqlite://")          # doctest: +SKIP
>>> crm = crmlab.CRM(db, user="alice")                                        # doctest: +SKIP
>>> cid = crm.customers.add(name="王芳", phone="13812345678", city="杭州")     # doctest: +SKIP
>>> crm.customers.update(cid, category="important")                           # doctest: +SKIP
{'category_id': (3, 1)}
>>> crm.history("customers", cid)                                             # doctest: +SKIP

Every write is validated, permission-checked, run in one transaction (retried when the database
is busy) and audited field by field. Errors are typed (:mod:`crmlab.errors`) and name the field.
"""
from __future__ import annotations

import datetime as dt
import random
import re
import threading
import time
import uuid

import pandas as pd
import sqlalchemy as sa

from crmlab.db import schema
from crmlab.db.engine import make_engine
from crmlab.errors import Conflict, CrmlabError, NotFound, ValidationError
from crmlab.ops import audit
from crmlab.ops.access import User, deny, load_matrix, load_user
from crmlab.ops.entities import CODE_COLUMNS, ENTITIES, LONG_TEXT, SHORT_TEXT, Entity, enum_map, fk_map
from crmlab.ops.fields import (PHONE_RE, fail, fmt, is_missing, to_date, to_email, to_enum, to_flag, to_float, to_int,
                               to_money, to_phone, to_text, to_timestamp)

ENUMS = schema.ENUMS
RESPONSE_HOURS = {"complaint": 24, "inquiry": 48, "feedback": 72}   # first-response SLA per ticket kind
MAX_RETRIES = 30

_WRITERS: dict[str, sa.Engine] = {}
_WRITERS_LOCK = threading.Lock()


def _writer_engine(db) -> sa.Engine:
    """SQLite files: an engine whose transactions start with BEGIN IMMEDIATE (one writer at a time,
    the others wait on the busy timeout instead of failing half-way); other databases: db.engine."""
    engine = db.engine
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return engine
    key = str(engine.url)
    with _WRITERS_LOCK:
        if key not in _WRITERS:
            eng = make_engine(engine.url.render_as_string(hide_password=False))

            @sa.event.listens_for(eng, "connect")
            def _autocommit_driver(dbapi_conn, _rec):
                dbapi_conn.isolation_level = None
                dbapi_conn.execute("PRAGMA synchronous=NORMAL")   # with WAL: durable, no corruption

            @sa.event.listens_for(eng, "begin")
            def _begin_immediate(conn):
                conn.exec_driver_sql("BEGIN IMMEDIATE")

            raw = eng.raw_connection()   # WAL: readers never block the writer and vice versa
            try:
                raw.driver_connection.execute("PRAGMA journal_mode=WAL")
            finally:
                raw.close()
            _WRITERS[key] = eng
        return _WRITERS[key]


def _is_retryable(exc: BaseException) -> bool:
    text = str(exc).lower()
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return ("database is locked" in text or "database is busy" in text or "deadlock" in text
            or code in ("40001", "40P01"))


def _sim_clock(db) -> dt.datetime | None:
    """The simulation's observation end (the CRM's 'now'), when the database records one."""
    try:
        from crmlab.simulate import truth

        end = truth(db).config
        end = end.get("observation_end") if isinstance(end, dict) else getattr(end, "observation_end", None)
        return None if end is None else pd.Timestamp(end).to_pydatetime().replace(microsecond=0)
    except Exception:  # noqa: BLE001 - a database without simulator metadata: use the wall clock
        return None


class CRM:
    """The CRM system as user ``user`` sees it.

    Parameters
    ----------
    db : crmlab.Database
    user : str
        Username of an active user; their role decides what they may do (:mod:`crmlab.ops.permissions`).
    now : datetime-like, optional
        The clock used for new records, due dates and SLAs. Default: the simulation's observation
        end (so results are reproducible), else the wall clock.
    """

    ENTITY_NAMES = tuple(ENTITIES)

    def __init__(self, db, user: str = "alice", now=None):
        self.db = db
        self.engine = db.engine
        self._writer = None
        with self.engine.connect() as conn:
            self.user: User = load_user(conn, user)
            self.permissions = load_matrix(conn, self.user.role)
        clock = to_timestamp("now", now) if now is not None else _sim_clock(db)
        self._fixed_now = clock
        for name, ent in ENTITIES.items():
            setattr(self, name, _collection_class(name)(self, ent))

    @property
    def writer(self) -> sa.Engine:
        """The engine writes go through (created on the first write, so read-only use changes nothing)."""
        if self._writer is None:
            self._writer = _writer_engine(self.db)
        return self._writer

    # ------------------------------------------------------------------ clock, users, permissions
    @property
    def now(self) -> dt.datetime:
        if self._fixed_now is not None:
            return self._fixed_now
        return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)

    @now.setter
    def now(self, value) -> None:
        self._fixed_now = to_timestamp("now", value)

    def as_user(self, user: str) -> "CRM":
        """The same CRM seen by another user (same database and clock)."""
        return CRM(self.db, user=user, now=self._fixed_now)

    def scope(self, entity: str, action: str) -> str:
        """This user's scope ('all', 'team', 'own' or 'none') for ``action`` on ``entity``."""
        return self.permissions.get(entity, {}).get(action, "none")

    def can(self, entity: str, action: str) -> bool:
        return self.scope(entity, action) != "none"

    def require(self, entity: str, action: str) -> str:
        scope = self.scope(entity, action)
        if scope == "none":
            deny(self.user, entity, action, scope)
        return scope

    def permission_table(self) -> pd.DataFrame:
        """This role's matrix as a DataFrame (rows entities, columns actions)."""
        return pd.DataFrame(self.permissions).T.reindex(columns=["create", "read", "update", "delete",
                                                                 "import", "export"])

    # ------------------------------------------------------------------ transactions
    def run(self, fn, *, write: bool = True):
        """Run ``fn(conn)`` in one transaction; retry when the database is busy; translate errors."""
        engine = self.writer if write else self.engine
        delay = 0.005
        for attempt in range(MAX_RETRIES):
            try:
                with engine.begin() as conn:
                    return fn(conn)
            except CrmlabError:
                raise
            except sa.exc.IntegrityError as exc:
                if _is_retryable(exc) and attempt < MAX_RETRIES - 1:
                    time.sleep(delay * (1 + random.random()))
                    continue
                raise _integrity_error(exc) from None
            except sa.exc.DBAPIError as exc:
                if _is_retryable(exc) and attempt < MAX_RETRIES - 1:
                    time.sleep(delay * (1 + random.random()))
                    delay = min(delay * 2, 0.5)
                    continue
                if audit.is_guard_error(exc):
                    fail("audit_log", "ops.append_only", cls=Conflict)
                raise
        raise RuntimeError("unreachable")

    def read(self, fn):
        return self.run(fn, write=False)

    # ------------------------------------------------------------------ audit
    def _audit(self, conn, action, entity, record_id, changes=None, snapshot=None, txn=None):
        txn = txn or audit.new_txn()
        if changes:
            rows = audit.rows_for_change(self.now, self.user.username, action, entity, record_id, changes, txn)
        else:
            rows = [{"at": self.now, "username": self.user.username, "action": action, "entity": entity,
                     "record_id": int(record_id), "field": None, "old_value": None,
                     "new_value": snapshot, "txn": txn}]
        audit.write(conn, rows)

    def history(self, entity: str, record) -> pd.DataFrame:
        """Every audited change of one record, oldest first (who, when, action, field, old → new).

        Needs read permission on both the entity's record and the audit log.
        """
        coll = self._collection(entity)
        rid = coll._id(record)
        coll.get(rid)  # read permission on the record itself
        self.require("audit_log", "read")
        return self.read(lambda conn: audit.history(conn, entity, rid))

    def _collection(self, entity: str) -> "Collection":
        if entity not in ENTITIES:
            fail("entity", "ops.bad_enum", options=", ".join(ENTITIES), value=str(entity)[:40])
        return getattr(self, entity)

    # ------------------------------------------------------------------ workflows (see their modules)
    def __getattr__(self, name):
        # workflow functions live in small modules; expose them as methods (crm.complaint_sla(...))
        if name.startswith("_"):
            raise AttributeError(name)
        fn = _methods().get(name)
        if fn is None:
            raise AttributeError(f"CRM has no attribute {name!r}")
        return fn.__get__(self)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(_methods()))

    def __repr__(self) -> str:
        return f"CRM(user={self.user.username!r}, role={self.user.role!r}, now={fmt(self.now)!r})"


def _methods() -> dict:
    from crmlab.ops import backup, dataio, workflows

    return {**workflows.METHODS, **dataio.METHODS, **backup.METHODS}


def _integrity_error(exc) -> CrmlabError:
    text = str(getattr(exc, "orig", exc)).lower()
    for col in ("customer_code", "supplier_code", "ticket_no", "code", "email", "username", "dedupe_key"):
        if "unique" in text and col in text or ("duplicate key" in text and col in text):
            return Conflict(col, "is already used by another record (must be unique)", key="ops.duplicate",
                            value="")
    if "foreign key" in text:
        return ValidationError("record", f"refers to a record that does not exist or is still referenced "
                                         f"({text.splitlines()[0][:160]})")
    return ValidationError("record", f"the database refused the row: {text.splitlines()[0][:200]}")


# ====================================================================================================
class Collection:
    """One entity's records: ``add``, ``get``, ``update``, ``archive``, ``restore``, ``delete``, ``search``."""

    def __init__(self, crm: CRM, ent: Entity):
        self.crm = crm
        self.ent = ent
        self.table = ent.table
        self._enums = enum_map(self.table)
        self._fks = fk_map(self.table)
        self._not_null = [c.name for c in self.table.columns if not c.nullable and c.server_default is None
                          and not c.primary_key and c.name != ent.code]
        self._flags = {c.name for c in self.table.columns
                       if any(getattr(k, "name", "") == f"ck_flag_{c.name}" for k in self.table.constraints)}

    def __repr__(self) -> str:
        return f"<{self.ent.name} of {self.crm!r}>"

    # ------------------------------------------------------------------ references
    def _id(self, ref) -> int:
        """A record id from an id or (for entities with codes) a code; no database check."""
        if isinstance(ref, bool):
            fail(self.ent.pk, "ops.not_integer", value=ref)
        if isinstance(ref, int) or (hasattr(ref, "dtype") and getattr(ref, "dtype").kind in "iu"):
            return to_int(self.ent.pk, int(ref), lo=1)
        if isinstance(ref, str) and self.ent.code:
            found = self.crm.read(lambda conn: conn.execute(
                sa.select(self.table.c[self.ent.pk]).where(self.table.c[self.ent.code] == ref.strip())).scalar())
            if found is None:
                fail(self.ent.code, "ops.not_found", cls=NotFound, entity=self.ent.name, entity_zh=self.ent.zh,
                     by=self.ent.code, value=ref[:60])
            return int(found)
        if isinstance(ref, str) and ref.strip().isdigit():
            return to_int(self.ent.pk, ref, lo=1)
        fail(self.ent.pk, "ops.not_integer", value=ref if isinstance(ref, (str, float)) else type(ref).__name__)

    def _row(self, conn, rid: int, *, lock: bool = False) -> dict:
        q = sa.select(self.table).where(self.table.c[self.ent.pk] == rid)
        if lock and conn.dialect.name == "postgresql":
            q = q.with_for_update()
        row = conn.execute(q).mappings().first()
        if row is None:
            fail(self.ent.pk, "ops.not_found", cls=NotFound, entity=self.ent.name, entity_zh=self.ent.zh,
                 by=self.ent.pk, value=rid)
        return dict(row)

    # ------------------------------------------------------------------ scope
    def _scope_clause(self, scope: str, table: sa.Table | None = None):
        """SQL condition selecting the records inside ``scope`` for this user."""
        t = self.table if table is None else table
        user = self.crm.user
        if scope == "all":
            return sa.true()
        if scope == "team" and user.team_id is not None:
            team = sa.select(schema.users.c.user_id).where(schema.users.c.team_id == user.team_id)

            def mine(col):
                return col.in_(team)
        else:
            def mine(col):
                return col == user.user_id
        conds = [mine(t.c[c]) for c in self.ent.owner_cols]
        if self.ent.parent:
            cust = schema.customers
            conds.append(t.c[self.ent.parent].in_(sa.select(cust.c.customer_id).where(mine(cust.c.owner_user_id))))
        if self.ent.name == "contacts":
            sup = schema.suppliers
            conds.append(t.c.supplier_id.in_(sa.select(sup.c.supplier_id).where(mine(sup.c.owner_user_id))))
        return sa.or_(*conds) if conds else sa.false()

    def _check_scope(self, conn, rid: int, action: str) -> None:
        scope = self.crm.require(self.ent.name, action)
        if scope == "all":
            return
        ok = conn.execute(sa.select(sa.literal(1)).select_from(self.table)
                          .where(self.table.c[self.ent.pk] == rid, self._scope_clause(scope))).first()
        if ok is None:
            deny(self.crm.user, self.ent.name, action, scope, out_of_scope=True)

    def _owners_ok(self, conn, row: dict, scope: str) -> bool:
        """Is a new or changed row (values not yet written) inside ``scope``?"""
        if scope == "all":
            return True
        user = self.crm.user
        owners: set[int] = set()
        if self.ent.parent and row.get(self.ent.parent) is not None:
            owners.add(conn.execute(sa.select(schema.customers.c.owner_user_id)
                                    .where(schema.customers.c.customer_id == row[self.ent.parent])).scalar())
        elif self.ent.name == "contacts" and row.get("supplier_id") is not None:
            owners.add(conn.execute(sa.select(schema.suppliers.c.owner_user_id)
                                    .where(schema.suppliers.c.supplier_id == row["supplier_id"])).scalar())
        else:
            owners |= {row.get(c) for c in self.ent.owner_cols}
        owners.discard(None)
        if user.user_id in owners:
            return True
        if scope == "team" and user.team_id is not None and owners:
            teams = conn.execute(sa.select(schema.users.c.team_id)
                                 .where(schema.users.c.user_id.in_(list(owners)))).scalars().all()
            return user.team_id in teams
        return False

    # ------------------------------------------------------------------ validation
    ALIASES = {"category": "category_id", "owner": "owner_user_id", "customer": "customer_id",
               "supplier": "supplier_id", "stage": "stage_id", "assigned_to": "assigned_user_id",
               "contact": "contact_id", "order": "order_id", "campaign": "campaign_id"}

    def _resolve_fk(self, conn, col: str, value, cache: dict | None = None):
        if cache is not None:
            key = (col, value if isinstance(value, (str, int)) else repr(value))
            if key not in cache:
                cache[key] = self._resolve_fk(conn, col, value)
            return cache[key]
        target, tcol = self._fks[col]
        code_col = CODE_COLUMNS.get(target)
        tt = schema.table(target)
        if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
            text = value.strip()
            conds = [tt.c[code_col] == text] if code_col else []
            if target == "customer_categories":
                conds += [tt.c.name_zh == text, tt.c.name_zh_alt == text, tt.c.name == text]
            if not conds or len(text) > 200:
                fail(col, "ops.fk_missing", target=target, value=text[:60])
            found = conn.execute(sa.select(tt.c[tcol]).where(sa.or_(*conds))).scalar()
        else:
            rid = to_int(col, value)
            found = conn.execute(sa.select(tt.c[tcol]).where(tt.c[tcol] == rid)).scalar()
        if found is None:
            fail(col, "ops.fk_missing", target=target, value=value if isinstance(value, (str, int)) else str(value))
        return int(found)

    def _coerce(self, conn, col: str, value, cache: dict | None = None):
        ent, c = self.ent, self.table.c[col]
        if is_missing(value):
            return None
        if col in ent.phone:
            return to_phone(col, value)
        if col in ent.email:
            return to_email(col, value)
        if col in self._enums:
            return to_enum(col, value, ENUMS[self._enums[col]])
        if col in self._fks:
            return self._resolve_fk(conn, col, value, cache)
        if col in self._flags:
            return to_flag(col, value)
        lo, hi = ent.ranges.get(col, (None, None))
        t = c.type
        if isinstance(t, sa.Numeric) and not isinstance(t, sa.Float):
            out = to_money(col, value)
            if hi is not None and out > hi:
                fail(col, "ops.out_of_range", lo=lo, hi=hi, value=value)
            return out
        if isinstance(t, sa.Float):
            return to_float(col, value, lo, hi)
        if isinstance(t, sa.Integer):
            return to_int(col, value, lo if lo is not None else 0, hi)
        if isinstance(t, sa.DateTime):
            return to_timestamp(col, value)
        if isinstance(t, sa.Date):
            return to_date(col, value)
        return to_text(col, value, LONG_TEXT if col in ent.long_text else SHORT_TEXT)

    def _clean(self, conn, values: dict, *, creating: bool, cache: dict | None = None) -> dict:
        """Validated, typed values (only the fields given)."""
        ent = self.ent
        out = {}
        cols = set(self.table.c.keys())
        for key, value in values.items():
            if not isinstance(key, str):
                fail(str(key)[:40], "ops.unknown_field", entity=ent.name, fields=", ".join(sorted(cols)))
            col = key if key in cols else self.ALIASES.get(key, key)
            if col not in cols:
                fail(key[:60], "ops.unknown_field", entity=ent.name, fields=", ".join(sorted(cols)))
            if col == ent.pk or col in ent.read_only:
                fail(col, "ops.read_only")
            if col == "status" and value == "merged":
                fail(col, "ops.read_only")
            out[col] = self._coerce(conn, col, value, cache)
        return out

    def _defaults(self, conn) -> dict:
        crm, ent, now = self.crm, self.ent, self.crm.now
        d = {}
        if ent.timestamps:
            d["created_at"] = now
            d["updated_at"] = now
        cols = self.table.c
        if "owner_user_id" in cols:
            d["owner_user_id"] = crm.user.user_id
        if ent.name == "customers":
            d["registered_at"] = now
        elif ent.name == "interactions":
            d.update(user_id=crm.user.user_id, occurred_at=now, created_at=now)
        elif ent.name == "tickets":
            d["opened_at"] = now
            if crm.user.role == "service_agent":
                d["assigned_user_id"] = crm.user.user_id
        elif ent.name == "tasks":
            d.update(assigned_user_id=crm.user.user_id, created_by=crm.user.user_id, created_at=now)
        elif ent.name == "campaigns":
            d["start_date"] = now.date()
        elif ent.name == "opportunities":
            d["stage_id"] = conn.execute(sa.select(schema.pipeline_stages.c.stage_id)
                                         .order_by(schema.pipeline_stages.c.seq).limit(1)).scalar()
        return d

    def _check_row(self, conn, row: dict, old: dict | None, *, check_code: bool = True) -> None:
        """Rules over the whole row (required fields, date order, cross-field rules)."""
        ent = self.ent
        for col in ent.required:
            if row.get(col) is None:
                fail(col, "ops.required")
        for col in self._not_null:
            if row.get(col) is None:
                fail(col, "ops.required")
        if ent.name == "customers" and row.get("phone") is None and row.get("email") is None:
            fail("phone", "ops.required")
        if ent.name == "contacts" and (row.get("customer_id") is None) == (row.get("supplier_id") is None):
            fail("customer_id", "ops.one_parent")
        for later, earlier in ent.date_order:
            a, b = row.get(later), row.get(earlier)
            if a is not None and b is not None:
                if isinstance(a, dt.datetime) != isinstance(b, dt.datetime):
                    a, b = pd.Timestamp(a), pd.Timestamp(b)
                if a < b:
                    fail(later, "ops.date_order", other=earlier, other_value=fmt(b))
        if ent.name == "customers" and row.get("birth_date") is not None and row["birth_date"] > self.crm.now.date():
            fail("birth_date", "ops.in_future", now=fmt(self.crm.now.date()))
        if ent.name == "tickets":
            if row.get("status") in ("resolved", "closed") and row.get("resolved_at") is None:
                fail("resolved_at", "ops.status_needs", status=row["status"], other="resolved_at")
            if row.get("order_id") is not None:
                owner = conn.execute(sa.select(schema.orders.c.customer_id)
                                     .where(schema.orders.c.order_id == row["order_id"])).scalar()
                if owner != row["customer_id"]:
                    fail("order_id", "ops.fk_missing", target="orders of this customer", value=row["order_id"])
        if ent.name == "tasks":
            if (row.get("status") == "done") != (row.get("completed_at") is not None):
                fail("completed_at", "ops.status_needs", status=row.get("status"), other="completed_at")
        if check_code and ent.code and row.get(ent.code) is not None:
            clash = conn.execute(sa.select(self.table.c[ent.pk]).where(
                self.table.c[ent.code] == row[ent.code])).scalar()
            if clash is not None and clash != row.get(ent.pk):
                fail(ent.code, "ops.duplicate", cls=Conflict, value=row[ent.code])
        if old is not None and old.get("status") == "merged":
            fail(ent.pk, "ops.merged", value=old.get(ent.code) or old[ent.pk])

    def _derive(self, conn, row: dict, old: dict | None) -> None:
        """Values the system computes (SLA due time, completion stamps, stage consequences)."""
        ent, now = self.ent, self.crm.now
        if ent.name == "tickets" and (old is None or row["opened_at"] != old["opened_at"]
                                      or row["kind"] != old["kind"]):
            row["response_due_at"] = row["opened_at"] + dt.timedelta(hours=RESPONSE_HOURS[row["kind"]])
        if ent.name == "tickets" and row.get("status") in ("resolved", "closed") and row.get("resolved_at") is None:
            row["resolved_at"] = max(now, row["opened_at"])
        if ent.name == "tasks":
            if row.get("status") == "done" and row.get("completed_at") is None:
                row["completed_at"] = now
            if row.get("status") != "done":
                row["completed_at"] = None
        if ent.name == "opportunities":
            st = schema.pipeline_stages
            won, lost = conn.execute(sa.select(st.c.is_won, st.c.is_lost).where(st.c.stage_id == row["stage_id"])).one()
            if won:
                row["status"] = "won"
            elif lost:
                row["status"] = "lost"
            if row["status"] in ("won", "lost") and row.get("closed_at") is None:
                row["closed_at"] = max(now, row.get("created_at") or now)
            if row["status"] == "open":
                row["closed_at"] = None

    # ------------------------------------------------------------------ public API
    def add(self, data: dict | None = None, /, **fields) -> int:
        """Create a record; returns its id. Fields may name linked records by code or username
        (``customer="C000012"``, ``owner="bob"``, ``category="important"``)."""
        if data is not None and not isinstance(data, dict):
            fail("data", "ops.bad_type", expected="a dict of field values", got=type(data).__name__)
        values = {**(data or {}), **fields}
        scope = self.crm.require(self.ent.name, "create")

        def work(conn):
            rid, _ = self._insert(conn, values, scope)
            return rid

        return self.crm.run(work)

    def _insert(self, conn, values: dict, scope: str, *, audit_action: str = "create", txn=None):
        ent = self.ent
        clean = self._clean(conn, {**ent.defaults, **values}, creating=True)
        row = self._defaults(conn)
        row.update(clean)
        self._derive(conn, row, None)
        self._check_row(conn, row, None)
        if not self._owners_ok(conn, row, scope):
            deny(self.crm.user, ent.name, "create", scope, out_of_scope=True)
        auto_code = ent.code and row.get(ent.code) is None
        if auto_code:
            row[ent.code] = f"~{uuid.uuid4().hex}"
        rid = conn.execute(self.table.insert().values(**row).returning(self.table.c[ent.pk])).scalar_one()
        if auto_code:
            code = f"{ent.code_prefix}{rid:06d}"
            while conn.execute(sa.select(sa.literal(1)).select_from(self.table)
                               .where(self.table.c[ent.code] == code)).first():
                code += "X"
            conn.execute(self.table.update().where(self.table.c[ent.pk] == rid).values({ent.code: code}))
            row[ent.code] = code
        row[ent.pk] = rid
        self.crm._audit(conn, audit_action, ent.name, rid, snapshot=audit.snapshot(row), txn=txn)
        self._after_write(conn, rid, row, None)
        return rid, row

    def _after_write(self, conn, rid, row, old):
        if self.ent.name == "opportunities" and (old is None or old["stage_id"] != row["stage_id"]):
            conn.execute(schema.opportunity_stage_history.insert().values(
                opportunity_id=rid, from_stage_id=None if old is None else old["stage_id"],
                to_stage_id=row["stage_id"], changed_at=self.crm.now, changed_by=self.crm.user.user_id))
        if self.ent.name == "interactions" and old is None and row.get("next_follow_up_at") is not None:
            kind = "return_visit" if row.get("kind") == "return_visit" else "follow_up"
            tasks = Collection(self.crm, ENTITIES["tasks"])
            tasks._insert(conn, {"kind": kind, "customer_id": row["customer_id"],
                                 "contact_id": row.get("contact_id"),
                                 "title": f"{'回访' if kind == 'return_visit' else '跟进'}: {row['subject']}"[:200],
                                 "due_at": row["next_follow_up_at"]}, "all")

    def get(self, ref) -> dict:
        """One record as a dict (NotFound if missing, PermissionDenied outside the read scope)."""
        rid = self._id(ref)

        def work(conn):
            row = self._row(conn, rid)
            self._check_scope(conn, rid, "read")
            return row

        return self.crm.read(work)

    def update(self, ref, data: dict | None = None, /, **changes) -> dict:
        """Change fields; returns ``{field: (old, new)}`` of what actually changed (audited)."""
        if data is not None and not isinstance(data, dict):
            fail("data", "ops.bad_type", expected="a dict of field values", got=type(data).__name__)
        values = {**(data or {}), **changes}
        rid = self._id(ref)
        self.crm.require(self.ent.name, "update")
        return self.crm.run(lambda conn: self._update(conn, rid, values))

    def _update(self, conn, rid: int, values: dict, *, action: str = "update", check_scope: bool = True,
                txn=None) -> dict:
        ent = self.ent
        old = self._row(conn, rid, lock=True)
        if check_scope:
            self._check_scope(conn, rid, "update")
        clean = self._clean(conn, values, creating=False)
        row = {**old, **clean}
        if ent.timestamps:
            row["updated_at"] = self.crm.now
        self._derive(conn, row, old)
        self._check_row(conn, row, old)
        scope = self.crm.scope(ent.name, "update")
        if check_scope and not self._owners_ok(conn, row, scope):
            deny(self.crm.user, ent.name, "update", scope, out_of_scope=True)
        changes = {k: (old[k], row[k]) for k in row if k != "updated_at" and _differs(old[k], row[k])}
        if not changes:
            return {}
        conn.execute(self.table.update().where(self.table.c[ent.pk] == rid)
                     .values({k: row[k] for k in row if k in changes or k == "updated_at"}))
        self.crm._audit(conn, action, ent.name, rid, changes=changes, txn=txn)
        self._after_write(conn, rid, row, old)
        return changes

    def archive(self, ref) -> dict:
        """Keep the record but take it out of daily use (customers: status 'archived'; tickets:
        'closed'; campaigns and tasks: 'cancelled'; opportunities: 'lost')."""
        if self.ent.archive_to is None:
            fail("status", "ops.no_archive", entity=self.ent.name, entity_zh=self.ent.zh)
        rid = self._id(ref)
        self.crm.require(self.ent.name, "update")
        col, value = self.ent.archive_to
        return self.crm.run(lambda conn: self._update(conn, rid, {col: value}, action="archive"))

    def restore(self, ref) -> dict:
        """Undo :meth:`archive` for customers, suppliers and contacts."""
        if self.ent.archive_to != ("status", "archived"):
            fail("status", "ops.no_archive", entity=self.ent.name, entity_zh=self.ent.zh)
        rid = self._id(ref)
        self.crm.require(self.ent.name, "update")
        return self.crm.run(lambda conn: self._update(conn, rid, {"status": "active"}, action="restore"))

    def delete(self, ref) -> None:
        """Delete a record where the role may; records still used elsewhere (a customer with orders)
        raise Conflict naming what holds them: archive those instead."""
        rid = self._id(ref)
        self.crm.require(self.ent.name, "delete")

        def work(conn):
            old = self._row(conn, rid, lock=True)
            self._check_scope(conn, rid, "delete")
            for child, col in _restricting_children(self.table.name):
                n = conn.execute(sa.select(sa.func.count()).select_from(schema.table(child))
                                 .where(schema.table(child).c[col] == rid)).scalar()
                if n:
                    fail(self.ent.pk, "ops.has_children", cls=Conflict, entity=self.ent.name,
                         value=old.get(self.ent.code) or rid, children=f"{n} {child}")
            conn.execute(self.table.delete().where(self.table.c[self.ent.pk] == rid))
            self.crm._audit(conn, "delete", self.ent.name, rid, snapshot=audit.snapshot(old))

        self.crm.run(work)

    def history(self, ref) -> pd.DataFrame:
        """The audit trail of one record (same as ``crm.history(entity, ref)``)."""
        return self.crm.history(self.ent.name, ref)

    # ------------------------------------------------------------------ search
    def _query(self, *, q=None, code=None, name=None, company=None, phone=None, email=None, category=None,
               owner=None, status=None, city=None, customer=None, kind=None, include_archived=False,
               action: str = "read"):
        t, ent = self.table, self.ent
        scope = self.crm.require(ent.name, action)
        conds = [self._scope_clause(scope)]

        def like(col, text):
            text = to_text(col.key, text)
            esc = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return sa.func.lower(col).like(f"%{esc.lower()}%", escape="\\")

        if q is not None:
            conds.append(sa.or_(*[like(t.c[c], q) for c in ent.search_text if c in t.c]))
        if code is not None:
            if not ent.code:
                fail("code", "ops.unknown_field", entity=ent.name, fields=", ".join(t.c.keys()))
            if isinstance(code, str) and re.fullmatch(rf"{ent.code_prefix}\d{{6,}}", code.strip()):
                conds.append(t.c[ent.code] == code.strip())    # a whole code: exact, indexed
            else:
                conds.append(like(t.c[ent.code], code))
        if name is not None:
            col = t.c["name"] if "name" in t.c else t.c.get("subject", t.c.get("title"))
            conds.append(like(col, name))
        if phone is not None:
            if "phone" not in t.c:
                fail("phone", "ops.unknown_field", entity=ent.name, fields=", ".join(t.c.keys()))
            digits = str(phone).replace("-", "").replace(" ", "")
            if PHONE_RE.match(digits):          # a whole number: exact match uses the phone index
                conds.append(t.c.phone == digits)
            else:
                conds.append(like(t.c.phone, digits))
        if email is not None:
            conds.append(like(t.c.email, email))
        if city is not None:
            conds.append(like(t.c.city, city))
        if kind is not None:
            conds.append(t.c.kind == to_enum("kind", kind, ENUMS[self._enums["kind"]]))
        if company is not None:
            if ent.name == "customers":
                conds += [t.c.customer_type == "company", like(t.c.name, company)]
            elif ent.name == "suppliers":
                conds.append(like(t.c.name, company))
            elif ent.name == "contacts":
                cu, su = schema.customers, schema.suppliers
                conds.append(sa.or_(
                    t.c.customer_id.in_(sa.select(cu.c.customer_id).where(like(cu.c.name, company))),
                    t.c.supplier_id.in_(sa.select(su.c.supplier_id).where(like(su.c.name, company)))))
            elif ent.parent:
                cu = schema.customers
                conds.append(t.c[ent.parent].in_(sa.select(cu.c.customer_id).where(like(cu.c.name, company))))
        if category is not None:
            if ent.name != "customers":
                fail("category", "ops.unknown_field", entity=ent.name, fields=", ".join(t.c.keys()))
            with self.crm.engine.connect() as conn:
                conds.append(t.c.category_id == self._resolve_fk(conn, "category_id", category))
        if owner is not None:
            ocol = next((c for c in ent.owner_cols), None)
            if ocol is None:
                fail("owner", "ops.unknown_field", entity=ent.name, fields=", ".join(t.c.keys()))
            with self.crm.engine.connect() as conn:
                uid = self._resolve_fk(conn, ocol, owner)
            conds.append(t.c[ocol] == uid)
        if customer is not None and ent.parent:
            with self.crm.engine.connect() as conn:
                conds.append(t.c[ent.parent] == self._resolve_fk(conn, ent.parent, customer))
        if status is not None:
            conds.append(t.c.status == to_enum("status", status, ENUMS[self._enums["status"]]))
        elif "status" in t.c and self._enums.get("status") == "record_status" and not include_archived:
            conds.append(t.c.status == "active")
        return conds

    def search(self, q=None, *, page: int = 1, page_size: int | None = 50, order_by: str | None = None,
               **filters) -> pd.DataFrame:
        """Records matching all the filters given, one page at a time, as a DataFrame.

        Filters: ``q`` (free text over code, name, phone, e-mail …), ``code``, ``name``,
        ``company``, ``phone``, ``email``, ``city``, ``category``, ``owner``, ``status``,
        ``customer``, ``kind``, ``include_archived``. Text filters match parts, case-insensitively.
        ``page_size=None`` returns every match.
        """
        conds = self._query(q=q, **filters)
        t = self.table
        order_col = t.c[self.ent.pk]
        if order_by is not None:
            desc = isinstance(order_by, str) and order_by.startswith("-")
            key = order_by.lstrip("-") if isinstance(order_by, str) else order_by
            if key not in t.c:
                fail("order_by", "ops.unknown_field", entity=self.ent.name, fields=", ".join(t.c.keys()))
            order_col = t.c[key].desc() if desc else t.c[key]
        cols = list(t.c)
        joins = t
        if self.ent.name == "customers":
            cat = schema.customer_categories
            cols.append(cat.c.code.label("category"))
            joins = joins.join(cat, cat.c.category_id == t.c.category_id)
        owner_col = next(iter(self.ent.owner_cols), None)
        if owner_col:
            u = schema.users.alias("owner_u")
            cols.append(u.c.username.label("owner"))
            joins = joins.outerjoin(u, u.c.user_id == t.c[owner_col])
        if self.ent.parent:
            cu = schema.customers.alias("parent_c")
            cols.append(cu.c.name.label("customer_name"))
            joins = joins.outerjoin(cu, cu.c.customer_id == t.c[self.ent.parent])
        query = sa.select(*cols).select_from(joins).where(*conds).order_by(order_col, t.c[self.ent.pk])
        if page_size is not None:
            page = to_int("page", page, lo=1)
            page_size = to_int("page_size", page_size, lo=1, hi=100_000)
            query = query.limit(page_size).offset((page - 1) * page_size)

        def work(conn):
            res = conn.execute(query)
            return pd.DataFrame(res.fetchall(), columns=list(res.keys()))

        return _typed(self.crm.read(work), t)

    def count(self, q=None, **filters) -> int:
        """How many records match (same filters as :meth:`search`)."""
        conds = self._query(q=q, **filters)
        query = sa.select(sa.func.count()).select_from(self.table).where(*conds)
        return int(self.crm.read(lambda conn: conn.execute(query).scalar()))

    def to_frame(self, **filters) -> pd.DataFrame:
        """Every record in this user's read scope (all pages)."""
        return self.search(page_size=None, **filters)


def _differs(a, b) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) > 1e-9
        except (TypeError, ValueError):
            return True
    if isinstance(a, dt.datetime) and isinstance(b, dt.date) and not isinstance(b, dt.datetime):
        return a.date() != b
    return a != b


def _restricting_children(table_name: str) -> list[tuple[str, str]]:
    """(child table, column) pairs whose FK to ``table_name`` blocks deletion (RESTRICT / NO ACTION)."""
    out = []
    for t in schema.metadata.sorted_tables:
        for col in t.columns:
            for fk in col.foreign_keys:
                if fk.column.table.name == table_name and (fk.ondelete or "RESTRICT").upper() in ("RESTRICT", "NO ACTION"):
                    if t.name != table_name:
                        out.append((t.name, col.name))
    return out


def _typed(df: pd.DataFrame, table: sa.Table) -> pd.DataFrame:
    for col in table.columns:
        if col.name not in df.columns:
            continue
        if isinstance(col.type, (sa.DateTime, sa.Date)):
            df[col.name] = pd.to_datetime(df[col.name], errors="coerce")
        elif isinstance(col.type, sa.Numeric) and not isinstance(col.type, sa.Integer):
            df[col.name] = pd.to_numeric(df[col.name], errors="coerce").astype("float64")
    return df


# ------------------------------------------------------------------ per-entity collections
class Opportunities(Collection):
    def move(self, ref, stage, *, lost_reason: str | None = None) -> dict:
        """Move an opportunity to another funnel stage (by code or id); the move is kept in
        ``opportunity_stage_history``. Reaching a won/lost stage closes it."""
        values = {"stage_id": stage}
        if lost_reason is not None:
            values["lost_reason"] = lost_reason
        return self.update(ref, values)


class Tickets(Collection):
    def respond(self, ref, at=None) -> dict:
        """Record the first response (首次响应) to a ticket; sets status 'in_progress'."""
        at = self.crm.now if at is None else at
        return self.update(ref, first_response_at=at, status="in_progress")

    def resolve(self, ref, resolution: str, root_cause: str | None = None, satisfaction=None, at=None) -> dict:
        """Close the case: resolution text, root cause (for statistics), optional satisfaction 1–5."""
        at = self.crm.now if at is None else at
        row = self.get(ref)
        values = {"status": "resolved", "resolved_at": at, "resolution": resolution}
        if row["first_response_at"] is None:
            values["first_response_at"] = at
        if root_cause is not None:
            values["root_cause"] = root_cause
        if satisfaction is not None:
            values["satisfaction"] = satisfaction
        return self.update(ref, values)


class Tasks(Collection):
    def complete(self, ref, outcome: str | None = None, effect_score=None) -> dict:
        """Mark a task done; ``effect_score`` (1–5) evaluates a care task's effect (关怀效果评价)."""
        values = {"status": "done"}
        if outcome is not None:
            values["outcome"] = outcome
        if effect_score is not None:
            values["effect_score"] = effect_score
        return self.update(ref, values)


class Campaigns(Collection):
    def add_members(self, ref, customers, *, group: str = "treatment") -> int:
        """Put customers (ids or codes) on the campaign's target list; returns how many were new."""
        from crmlab.ops import workflows

        return workflows.add_campaign_members(self.crm, ref, customers, group=group)


def _collection_class(name: str):
    return {"opportunities": Opportunities, "tickets": Tickets, "tasks": Tasks,
            "campaigns": Campaigns}.get(name, Collection)


__all__ = ["CRM", "Collection"]
