"""The simulator's driver: generate every domain in memory, then write the database all-or-nothing.

A failed run leaves nothing behind: generation happens before the database is touched; an SQLite
file is built under a temporary name and renamed into place only when complete; on PostgreSQL the
whole build (DDL included) is one transaction.
"""
from __future__ import annotations

import importlib
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from tqdm.auto import tqdm

from crmlab.db import loader, schema
from crmlab.db.engine import Database, default_url, make_engine
from crmlab.db.io import _kind, bulk_insert, reset_sequences
from crmlab.errors import ConfigError, DatabaseNotEmpty
from crmlab.simulate import blocks, campaigns, catalog, funnel, parties, purchases
from crmlab.simulate.config import SimConfig
from crmlab.simulate.context import SimContext

#: Bump when the generative model changes: a database built by another version is rebuilt.
SIM_VERSION = "1"

#: Optional domain generators owned by their course modules, run after orders exist.
DOMAINS = ["crmlab.simulate.service", "crmlab.simulate.survey"]

IF_EXISTS = ("auto", "reuse", "replace", "error")
PROGRESS_FROM = 50_000
#: From this many customers an SQLite file is loaded by forked writers while generation goes on.
PARALLEL_FROM = 20_000


def _steps():
    return [
        ("staff", parties.generate_staff),
        ("categories", parties.generate_categories),
        ("customers", parties.generate_customers),
        ("suppliers", parties.generate_suppliers),
        ("contacts", parties.generate_contacts),
        ("catalog", catalog.generate),
        ("purchases", purchases.simulate_events),
        ("campaigns", campaigns.generate),
        ("orders", purchases.finalize),
        ("campaign members", campaigns.link_responses),
        ("funnel", funnel.generate),
    ]


def generate(config: SimConfig, progress: bool = False, sink=None) -> SimContext:
    """Run every generator; returns the context holding all tables and truths.

    With a ``sink`` (a :class:`crmlab.db.loader.ForkLoader`), tables are handed over as soon as
    they are final (the core tables right after the orders step, later ones after their step), so
    writing overlaps generation and memory is freed early; otherwise they stay queued in the context.
    """
    ctx = SimContext(config)
    ctx.sink = sink
    run_steps(ctx, progress=progress)
    return ctx


#: Steps that need nothing from later ones: with a loader they run in a writer process of their own.
APART = {"service"}

#: Steps run in the first block of a large build only (a sample of customers is enough).
FIRST_BLOCK_ONLY = {"survey"}


def run_steps(ctx: SimContext, progress: bool = False) -> None:
    """Every generator in order on ``ctx`` (one whole build, or one block of a large build)."""
    steps = _steps()
    for mod in DOMAINS:
        try:
            module = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name == mod:
                continue
            raise
        steps.append((mod.rsplit(".", 1)[1], module.generate))
    if ctx.block:
        steps = [(name, fn) for name, fn in steps if name not in FIRST_BLOCK_ONLY]
    bar = tqdm(steps, desc="simulating", unit="step", disable=not progress, leave=False)
    final = False
    for name, fn in bar:
        bar.set_postfix_str(name)
        if final and name in APART and ctx.sink is not None and ctx.sink.run_apart(ctx, fn, _prepare_named):
            continue
        fn(ctx)
        if name == "orders":
            # customers, orders and lines are final once the orders exist; nothing later changes them
            _queue_core_tables(ctx)
            final = True
        if final:
            ctx.flush(_prepare_named)


def _queue_core_tables(ctx: SimContext) -> None:
    cust = ctx.customers
    cust = cust.assign(created_at=cust.registered_at, updated_at=cust.registered_at)
    ctx.write_frame("customers", cust[[c.name for c in schema.customers.columns if c.name in cust.columns]])
    for name, frame in (("orders", ctx.orders), ("holdout_orders", ctx.holdout_orders),
                        ("order_lines", ctx.order_lines), ("holdout_order_lines", ctx.holdout_order_lines)):
        ctx.write_frame(name, frame[[c.name for c in schema.table(name).columns]])
    # the important-customer threshold learnt from the data
    cats = ctx.tables["customer_categories"]
    cats["min_annual_spend"] = np.array([ctx.important_threshold, 0.01, 0.0])
    tc = cust[[c.name for c in schema.truth_customers.columns]]
    ctx.write_frame("truth_customers", tc)


def _prepare_named(name: str, cols: dict) -> dict:
    return _prepare(schema.table(name), cols)


def _prepare(table: sa.Table, cols: dict) -> dict:
    """Convert queued columns to what the driver accepts (formatted times, None for missing)."""
    out = {}
    for name, values in cols.items():
        if name not in table.c:
            raise ValueError(f"{table.name} has no column {name!r}")
        kind = _kind(table.c[name])
        arr = values.to_numpy() if hasattr(values, "to_numpy") else values
        if kind in ("timestamp", "date"):
            # kept as datetime64: bulk_insert formats chunk by chunk (bounded memory)
            a = np.asarray(arr)
            out[name] = (np.asarray(pd.to_datetime(pd.Series(a)).to_numpy(), dtype="datetime64[s]")
                         if a.dtype == object else a.astype("datetime64[s]"))
        elif isinstance(arr, pd.arrays.IntegerArray) or getattr(arr, "dtype", None) == "Int64":
            out[name] = pd.array(arr, dtype="Int64").astype(object).to_numpy()
            out[name][pd.isna(out[name])] = None
        else:
            a = np.asarray(arr)
            if a.dtype == bool:
                a = a.astype(np.int64)
            if a.dtype == object:
                a = a.copy()
                a[pd.isna(a)] = None
            if kind == "int" and a.dtype.kind == "f":
                obj = a.astype(object)
                obj[np.isnan(a)] = None
                ok = ~np.isnan(a)
                obj[ok] = a[ok].astype(np.int64).tolist()
                a = obj
            out[name] = a
    return out


def _meta_rows(ctx: SimContext) -> dict[str, str]:
    from crmlab import __version__

    counts = {t: int(n) for t, n in ctx.row_counts.items()}
    return {
        "simulator_version": SIM_VERSION,
        "crmlab_version": __version__,
        "seed": str(ctx.config.seed),
        "config": ctx.config.key(),
        "truth": json.dumps(ctx.truth, sort_keys=True, default=_json_default, ensure_ascii=False),
        "row_counts": json.dumps(counts, sort_keys=True),
        "complete": "true",
    }


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o)}")


def strict_load() -> bool:
    """``CRMLAB_STRICT_LOAD=1`` (set by the test suite) enforces every constraint during the bulk load."""
    return os.environ.get("CRMLAB_STRICT_LOAD", "") not in ("", "0", "false")


def write(conn: sa.Connection, ctx: SimContext, progress: bool = False, fast: bool = False) -> dict[str, int]:
    """Create the schema and load every queued table (inside the caller's transaction).

    ``fast`` (a fresh private SQLite file only): CHECK constraints are not re-evaluated row by row and
    secondary indexes are built after the load. The tests build with ``CRMLAB_STRICT_LOAD=1``, which
    enforces every constraint, so the generator is proven to respect them.
    """
    schema.metadata.create_all(conn)
    deferred = []
    if fast and conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
        for table in schema.metadata.sorted_tables:
            for index in table.indexes:
                conn.exec_driver_sql(f"DROP INDEX {index.name}")
                deferred.append(index)
    counts = {}
    tables = [t for t in schema.metadata.sorted_tables if t.name in ctx.tables]
    timings = {}
    for table in tqdm(tables, desc="writing", unit="table", disable=not progress, leave=False):
        t0 = time.perf_counter()
        counts[table.name] = bulk_insert(conn, table.name, _prepare(table, ctx.tables[table.name]))
        timings[table.name] = time.perf_counter() - t0
    ctx.write_seconds = timings
    for index in deferred:
        index.create(conn)
    if fast and conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")
    _write_meta(conn, ctx)
    return counts


def _write_meta(conn: sa.Connection, ctx: SimContext) -> None:
    """The closing writes of every build: metadata (truths, row counts), sequences, audit guards."""
    try:
        from crmlab.ops.audit import install_guards
    except ImportError:  # operations module absent: the audit log is still written, just not guarded
        install_guards = None
    meta = _meta_rows(ctx)
    bulk_insert(conn, "crmlab_meta", {"key": list(meta), "value": list(meta.values())})
    reset_sequences(conn)
    if install_guards is not None:
        install_guards(conn)


def _generate_into_sqlite(config: SimConfig, tmp: Path, progress: bool, in_blocks: bool):
    """Generate and load at once: forked writers insert finished tables while generation goes on.

    ``in_blocks`` (more than ``blocks.BLOCK_SIZE`` customers): block by block through a chain of
    writers. Returns what the closing writes need (config, truth, row_counts).
    """
    fast = not strict_load()
    pragmas = ["PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF", "PRAGMA foreign_keys = OFF",
               "PRAGMA cache_size = -65536"] + (["PRAGMA ignore_check_constraints = ON"] if fast else [])
    deferred = loader.create_schema_file(tmp, defer_indexes=fast)
    writers = loader.ForkLoader(tmp, pragmas, deferred, chain=in_blocks)
    try:
        if in_blocks:
            result = blocks.generate_in_blocks(config, writers, run_steps, progress=progress)
            result.row_counts = writers.finish()
            return result
        ctx = generate(config, progress=progress, sink=writers)
        writers.finish()
        ctx.truth.update(writers.apart_truth)
        ctx.row_counts.update(writers.apart_counts)
        return ctx
    except BaseException:
        writers.abort()
        raise


# ---------------------------------------------------------------------------------------------
def _existing_state(engine: sa.Engine, config: SimConfig) -> str:
    """'empty', 'same' (this seed+config, complete), 'other' (another crmlab build) or 'foreign'."""
    insp = sa.inspect(engine)
    names = set(insp.get_table_names())
    if not names:
        return "empty"
    if "crmlab_meta" not in names or not names <= set(schema.metadata.tables):
        return "foreign"
    with engine.connect() as conn:
        rows = dict(conn.exec_driver_sql("SELECT key, value FROM crmlab_meta").fetchall())
    if (rows.get("complete") == "true" and rows.get("config") == config.key()
            and rows.get("simulator_version") == SIM_VERSION):
        return "same"
    return "other"


def _sqlite_path(url: sa.engine.URL) -> Path | None:
    db = url.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db).expanduser()


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()


def simulate(n_customers: int = 2000, seed: int = 0, url: str | None = None, *, locale: str = "zh_CN",
             if_exists: str = "auto", progress: bool | None = None, **options) -> Database:
    """Build a complete simulated CRM database and return its handle.

    Parameters
    ----------
    n_customers : int
        How many customers (default 2,000, under a second; 100,000 about 10 s; 1,000,000 about 1.5
        minutes on two cores, built in blocks of 100,000 customers: see ``crmlab/simulate/README.md``).
    seed : int
        Same seed and options → byte-identical tables, on SQLite and PostgreSQL alike.
    url : str, optional
        SQLAlchemy URL; ``None`` = the embedded default file (``crmlab.db.default_url()``:
        ``$CRMLAB_DB_URL`` or ``~/.crmlab/crmlab.db``); ``"sqlite://"`` = in memory;
        ``"postgresql+psycopg://user:pw@host/db"`` for a class server.
    locale : {"zh_CN", "en_US"}
        Names, companies, places and phone numbers come from Faker in this locale.
    if_exists : {"auto", "reuse", "replace", "error"}
        What to do when the database already holds data. ``auto``: reuse it if it was built with the
        same seed and options, rebuild it if it holds another crmlab simulation. ``error``: refuse.
        A database holding tables crmlab did not create is always refused (``DatabaseNotEmpty``).
    progress : bool, optional
        Show progress bars (default: on from 50,000 customers).
    **options
        Further model options (see :class:`crmlab.simulate.config.SimConfig`), e.g. ``bgnbd_r=0.5``.

    Returns
    -------
    Database

    Examples
    --------
    >>> import crmlab
    >>> db = crmlab.simulate(n_customers=300, seed=7, url="sqlite://")
    >>> int(db.sql("SELECT count(*) AS n FROM customers").n[0])
    300
    """
    config = SimConfig.from_options(n_customers=n_customers, seed=seed, locale=locale, **options)
    if if_exists not in IF_EXISTS:
        raise ConfigError("if_exists", f"must be one of {IF_EXISTS}, got {if_exists!r}")
    url = url or default_url()
    engine = make_engine(url)
    lite_path = _sqlite_path(sa.engine.make_url(url)) if engine.dialect.name == "sqlite" else None
    try:
        # probing a missing SQLite file would create it: a missing file is simply empty
        state = "empty" if lite_path is not None and not lite_path.exists() else _existing_state(engine, config)
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - unreachable server, bad credentials, ...
        engine.dispose()
        raise ConfigError("url", f"cannot connect: {str(exc).splitlines()[0]}") from None
    if state == "foreign":
        engine.dispose()
        raise DatabaseNotEmpty("url", "already holds tables that crmlab did not create; use an empty database")
    if state != "empty" and if_exists == "error":
        engine.dispose()
        raise DatabaseNotEmpty("if_exists", "the database already holds a crmlab simulation "
                                            "(use if_exists='replace' or 'auto')")
    if state == "same" and if_exists in ("auto", "reuse"):
        return Database(url=url, engine=engine)
    if state == "other" and if_exists == "reuse":
        engine.dispose()
        raise DatabaseNotEmpty("if_exists", "the database holds a simulation with another seed or options")

    show = progress if progress is not None else n_customers >= PROGRESS_FROM
    t0 = time.perf_counter()
    parsed = sa.engine.make_url(url)
    path = _sqlite_path(parsed) if engine.dialect.name == "sqlite" else None
    parallel = path is not None and n_customers >= PARALLEL_FROM and loader.available()
    in_blocks = parallel and n_customers > blocks.BLOCK_SIZE
    ctx = None if parallel else generate(config, progress=show)
    if path is not None:
        engine.dispose()
        tmp = path.with_name(f".{path.name}.building-{os.getpid()}")
        _remove_sqlite(tmp)
        tmp_engine = None
        try:
            if parallel:
                ctx = _generate_into_sqlite(config, tmp, show, in_blocks)
            tmp_engine = make_engine(f"sqlite:///{tmp}")
            with tmp_engine.begin() as conn:
                if in_blocks:
                    blocks.restate_campaign_costs(conn.connection.dbapi_connection, ctx.truth, ctx.campaign_rows)
                if parallel:
                    _write_meta(conn, ctx)
                    counts = dict(ctx.row_counts)
                else:
                    # a fresh private file: no journal, and the generator's keys are checked by the
                    # tests (PRAGMA foreign_key_check), not row by row during the load
                    conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
                    conn.exec_driver_sql("PRAGMA journal_mode = OFF")
                    conn.exec_driver_sql("PRAGMA synchronous = OFF")
                    counts = write(conn, ctx, progress=show, fast=not strict_load())
            with tmp_engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode = WAL")
        except BaseException:
            if tmp_engine is not None:
                tmp_engine.dispose()
            _remove_sqlite(tmp)
            raise
        tmp_engine.dispose()
        _remove_sqlite(path)
        os.replace(tmp, path)
        engine = make_engine(url)
    else:
        try:
            with engine.begin() as conn:
                if state == "other":
                    schema.metadata.drop_all(conn)
                if engine.dialect.name == "sqlite":
                    conn.exec_driver_sql("PRAGMA foreign_keys = ON")
                counts = write(conn, ctx, progress=show)
        except BaseException:
            engine.dispose()
            raise
    db = Database(url=url, engine=engine)
    db.build_seconds = time.perf_counter() - t0
    db.row_counts = counts
    return db
