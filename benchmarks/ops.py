"""CRM operations speed: add / update / search per second on a 100,000-customer database, and CSV
import of 100,000 rows (validated and audited, target ≥ 10,000 rows/s) against row-at-a-time
commits (``crm.customers.add`` per row) in the same run — on SQLite and, when a server is given,
on PostgreSQL.

    python benchmarks/ops.py                                   # SQLite only
    python benchmarks/ops.py --pg-url postgresql+psycopg://user:pw@127.0.0.1:5433/postgres
    python benchmarks/ops.py --customers 20000 --rows 20000    # a quicker run

The PostgreSQL URL must allow CREATE DATABASE; a scratch database is created and dropped.
"""
from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from tqdm import tqdm

import crmlab


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def make_csv(n: int, seed: int = 0) -> str:
    """``n`` new customers with unique phones, as CSV text (columns a shop's export might have)."""
    rng = np.random.default_rng(seed)
    cities = np.array(["杭州市", "上海市", "北京市", "广州市", "深圳市", "成都市"])
    cats = np.array(["important", "ordinary", "potential"])
    df = pd.DataFrame({
        "姓名": [f"导入客户{i}" for i in range(n)],
        "手机": [f"0990{i:07d}" for i in range(n)],
        "邮箱": [f"import{i}@example.com" for i in range(n)],
        "城市": cities[rng.integers(0, len(cities), n)],
        "类别": cats[rng.integers(0, 3, n)],
    })
    return df.to_csv(index=False)


MAPPING = {"姓名": "name", "手机": "phone", "邮箱": "email", "城市": "city", "类别": "category"}


def bench(url: str, n_customers: int, n_rows: int, n_ops: int) -> dict:
    t0 = time.perf_counter()
    db = crmlab.simulate(n_customers=n_customers, seed=42, url=url, progress=False)
    build = time.perf_counter() - t0
    crm = crmlab.CRM(db, user="admin")
    rng = np.random.default_rng(1)
    out = {"engine": db.dialect, "customers": n_customers, "build_s": round(build, 1)}

    t = time.perf_counter()
    ids = [crm.customers.add(name=f"新客户{i}", phone=f"17{i:09d}", city="杭州市")
           for i in tqdm(range(n_ops), desc="add", leave=False)]
    out["add_per_s"] = _rate(n_ops, time.perf_counter() - t)

    targets = rng.integers(1, n_customers + 1, n_ops)
    t = time.perf_counter()
    for i, cid in enumerate(tqdm(targets, desc="update", leave=False)):
        crm.customers.update(int(cid), credit_rating=int(i % 100))
    out["update_per_s"] = _rate(n_ops, time.perf_counter() - t)

    phones = crmlab.read_table(db, "customers", columns=["phone"]).phone.dropna().to_numpy()
    picks = phones[rng.integers(0, len(phones), n_ops)]
    t = time.perf_counter()
    for p in tqdm(picks, desc="search", leave=False):
        crm.customers.search(phone=p, page_size=20)
    out["search_phone_per_s"] = _rate(n_ops, time.perf_counter() - t)
    t = time.perf_counter()
    for i in range(n_ops // 5):
        crm.customers.search(category="important", page=i + 1, page_size=20)
    out["search_category_page_per_s"] = _rate(n_ops // 5, time.perf_counter() - t)

    text = make_csv(n_rows)
    t = time.perf_counter()
    report = crm.import_csv(io.StringIO(text), mapping=MAPPING)
    imp = time.perf_counter() - t
    assert report.summary["insert"] == n_rows, report.summary
    n_audit = db.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'import'").n.iloc[0]
    assert n_audit == n_rows
    out["import_rows"] = n_rows
    out["import_rows_per_s"] = _rate(n_rows, imp)

    # naive baseline: the same kind of rows, one validated + audited transaction (commit) per row
    n_naive = min(n_rows, max(200, n_ops))
    base = pd.read_csv(io.StringIO(make_csv(n_naive, seed=1)), dtype=str).rename(columns=MAPPING)
    base["phone"] = [f"0991{i:07d}" for i in range(n_naive)]
    base["email"] = [f"naive{i}@example.com" for i in range(n_naive)]
    t = time.perf_counter()
    for rec in tqdm(base.to_dict("records"), desc="row-at-a-time", leave=False):
        crm.customers.add(rec)
    out["row_at_a_time_rows_per_s"] = _rate(n_naive, time.perf_counter() - t)
    out["import_vs_row_at_a_time"] = out["import_rows_per_s"] / out["row_at_a_time_rows_per_s"]
    db.close()
    return out


def _drop(admin, name: str) -> None:
    """Drop the scratch database (waiting out autovacuum, which a non-superuser cannot stop)."""
    for attempt in range(10):
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            return
        except sa.exc.DBAPIError:
            time.sleep(2)
    print(f"note: could not drop the scratch database {name}; drop it by hand")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--ops", type=int, default=500)
    ap.add_argument("--pg-url", default=os.environ.get("CRMLAB_PG_URL"))
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(bench(f"sqlite:///{Path(tmp) / 'bench.db'}", args.customers, args.rows, args.ops))
    print(pd.Series(results[-1]).to_string(), flush=True)
    if args.pg_url:
        admin = sa.create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        name = "crmlab_bench_" + uuid.uuid4().hex[:8]
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            url = sa.engine.make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)
            results.append(bench(url, args.customers, args.rows, args.ops))
            print(pd.Series(results[-1]).to_string(), flush=True)
        finally:
            _drop(admin, name)
            admin.dispose()
    df = pd.DataFrame(results).set_index("engine").T
    with pd.option_context("display.float_format", "{:,.1f}".format):
        print(df.to_string())
    for r in results:
        ok = "meets" if r["import_rows_per_s"] >= 10_000 else "misses"
        print(f"{r['engine']}: CSV import {r['import_rows_per_s']:,.0f} rows/s ({ok} the 10,000 rows/s target), "
              f"{r['import_vs_row_at_a_time']:.0f}× row-at-a-time commits")


if __name__ == "__main__":
    main()
