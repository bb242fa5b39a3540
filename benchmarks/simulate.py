"""Benchmark: how fast `crmlab.simulate` builds an SQLite database, against a naive per-row baseline.

    python benchmarks/simulate.py                  # 2,000 / 100,000 / 1,000,000 customers
    python benchmarks/simulate.py --sizes 2000 100000

Each size runs in its own process so its peak memory can be read: the process's own max RSS, and
the sum over it and its forked writer processes (PSS, so pages they share count once). The naive baseline
generates each row with its own Faker call and writes it with its own INSERT and commit, as a
beginner's loop does; a second, per-row baseline does the same in one transaction. Both run on a
small database and are extrapolated by rows to each size.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, os, resource, sys, time
import crmlab
n, path = int(sys.argv[1]), sys.argv[2]
t0 = time.perf_counter()
db = crmlab.simulate(n_customers=n, seed=3, url=f"sqlite:///{path}", progress=False)
secs = time.perf_counter() - t0
rows = sum(db.row_counts.values())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"n": n, "seconds": secs, "rows": rows, "orders": db.row_counts.get("orders", 0),
                  "order_lines": db.row_counts.get("order_lines", 0), "peak_mib": peak,
                  "file_mib": os.path.getsize(path) / 2**20}))
"""


def _pss_mib(pid: int) -> float:
    """Proportional set size of one process (shared pages split between the processes sharing them)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_size(n: int, folder: str) -> dict:
    """Build in a child process; sample the memory of it and its writer processes (PSS, summed)."""
    import psutil

    path = os.path.join(folder, f"bench-{n}.db")
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(n), path], stdout=subprocess.PIPE, text=True)
    peak = 0.0
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            pids = [proc.pid] + [c.pid for c in ps.children(recursive=True)]
        except psutil.Error:
            break
        peak = max(peak, sum(_pss_mib(p) for p in pids))
        time.sleep(0.5)   # reading smaps costs the kernel time: not too often
    out = proc.stdout.read()
    if proc.wait() != 0:
        raise RuntimeError(f"simulate({n}) failed")
    os.remove(path)
    res = json.loads(out.strip().splitlines()[-1])
    res["tree_mib"] = peak
    return res


def naive_rows_per_second(n_customers: int = 300, commit_each_row: bool = False, path: str = ":memory:") -> float:
    """One Faker call per value and one INSERT statement per row (customers, orders, order lines).

    ``commit_each_row``: commit after every INSERT into a file (the beginner's loop); otherwise one
    transaction in memory (a careful per-row loop).
    """
    import random
    import sqlite3

    from faker import Faker

    fake = Faker("zh_CN")
    Faker.seed(1)
    rnd = random.Random(1)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, code TEXT UNIQUE, name TEXT, phone TEXT,"
                " email TEXT, city TEXT, address TEXT, registered_at TEXT)")
    con.execute("CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER, ordered_at TEXT, amount REAL)")
    con.execute("CREATE TABLE order_lines (order_id INTEGER, line_no INTEGER, product_id INTEGER, quantity INTEGER,"
                " unit_price REAL, PRIMARY KEY (order_id, line_no))")
    rows = 0
    oid = 0
    t0 = time.perf_counter()
    for i in range(1, n_customers + 1):
        con.execute("INSERT INTO customers VALUES (?,?,?,?,?,?,?,?)",
                    (i, f"C{i:06d}", fake.name(), fake.phone_number(), fake.email(), fake.city(),
                     fake.address(), str(fake.date_time_between("-2y", "now"))))
        rows += 1
        if commit_each_row:
            con.commit()
        for _ in range(rnd.randint(1, 11)):
            oid += 1
            con.execute("INSERT INTO orders VALUES (?,?,?,?)",
                        (oid, i, str(fake.date_time_between("-2y", "now")), round(rnd.gammavariate(6, 50), 2)))
            rows += 1
            if commit_each_row:
                con.commit()
            for ln in range(1, rnd.randint(1, 3) + 1):
                con.execute("INSERT INTO order_lines VALUES (?,?,?,?,?)",
                            (oid, ln, rnd.randint(1, 200), rnd.randint(1, 3), round(rnd.uniform(5, 300), 2)))
                rows += 1
                if commit_each_row:
                    con.commit()
    con.commit()
    return rows / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 100_000, 1_000_000])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        naive = naive_rows_per_second(60, commit_each_row=True, path=os.path.join(folder, "naive.db"))
        careful = naive_rows_per_second(300)
        print(f"naive baseline   (Faker call + INSERT + commit per row, file): {naive:,.0f} rows/s")
        print(f"per-row baseline (Faker call + INSERT per row, one transaction): {careful:,.0f} rows/s")
        print("peak MiB: the building process alone (max RSS); all MiB: it and its writer processes together "
              "(sum of PSS, sampled every 0.5 s)")
        print(f"{'customers':>10} {'seconds':>8} {'rows':>12} {'rows/s':>10} {'orders':>10} {'lines':>11} "
              f"{'peak MiB':>9} {'all MiB':>8} {'file MiB':>9} {'vs naive':>9} {'vs per-row':>10}")
        for n in args.sizes:
            r = run_size(n, folder)
            print(f"{n:>10,} {r['seconds']:>8.2f} {r['rows']:>12,} {r['rows'] / r['seconds']:>10,.0f} "
                  f"{r['orders']:>10,} {r['order_lines']:>11,} {r['peak_mib']:>9,.0f} {r['tree_mib']:>8,.0f} "
                  f"{r['file_mib']:>9,.0f} {r['rows'] / naive / r['seconds']:>8.0f}x "
                  f"{r['rows'] / careful / r['seconds']:>9.1f}x", flush=True)


if __name__ == "__main__":
    main()
