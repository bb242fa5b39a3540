"""Speed and memory of crmlab.mining at scale. Prints each figure and the ratios from the same run.

    python benchmarks/mining.py                 # full size (200,000 baskets; 1,000,000 customers)
    python benchmarks/mining.py --quick         # a tenth of the size, for a smoke run
    python benchmarks/mining.py --cap-gib 6     # memory cap for each mining subprocess

1. Frequent itemsets on 200,000 baskets × 50 categories: FP-growth (crmlab's default) against
   Apriori with ``low_memory=True`` and mlxtend's default Apriori (the naive baseline). Each runs in
   its own subprocess under an address-space cap (RLIMIT_AS), so a memory blow-up ends that run
   with "over the cap" instead of taking the machine down; peak memory is the child's max RSS.
2. Segmentation of 1,000,000 customers (standardise → k-means, k = 4, n_init = 10) against a plain
   NumPy Lloyd loop (the naive baseline, one start); agreement of the two by adjusted Rand index.
3. Churn model fit on 1,000,000 customers: statsmodels logit + depth-3 tree (crmlab.churn_model),
   against the 100,000-customer fit (the scaling ratio).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

N_ITEMS = 50


def make_baskets(n: int, seed: int = 0) -> pd.DataFrame:
    """Synthetic baskets: Zipf-skewed item popularity, ~4 items per basket, 5 planted pairs."""
    rng = np.random.default_rng(seed)
    pop = 1.0 / np.arange(1, N_ITEMS + 1) ** 0.8
    pop = pop / pop.sum()
    size = 1 + rng.poisson(3.0, n)
    mat = np.zeros((n, N_ITEMS), dtype=bool)
    rows = np.repeat(np.arange(n), size)
    mat[rows, rng.choice(N_ITEMS, size=len(rows), p=pop)] = True
    for a, b in [(10, 11), (20, 21), (30, 31), (40, 41), (45, 46)]:
        has_a = rng.random(n) < 0.05
        mat[has_a, a] = True
        mat[has_a & (rng.random(n) < 0.4), b] = True
    return pd.DataFrame(mat, columns=[f"c{i:02d}" for i in range(N_ITEMS)])


def _child(algo: str, n: int, min_support: float) -> None:
    """Runs in the capped subprocess: mine and print time, peak RSS and the itemset count."""
    from crmlab.mining import frequent_itemsets
    from mlxtend.frequent_patterns import apriori

    data = make_baskets(n)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    if algo == "apriori_default":
        fi = apriori(data, min_support=min_support, use_colnames=True, low_memory=False)
    elif algo == "apriori_low_memory":
        fi = frequent_itemsets(data, min_support, algorithm="apriori")
    else:
        fi = frequent_itemsets(data, min_support, algorithm="fpgrowth")
    secs = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": secs, "peak_mib": peak / 1024, "mining_mib": (peak - base) / 1024,
                      "itemsets": len(fi)}))


def _capped(cap_bytes: int):
    def set_limit():
        resource.setrlimit(resource.RLIMIT_AS, (cap_bytes, cap_bytes))
    return set_limit


def bench_itemsets(n: int, min_support: float, cap_gib: float) -> dict:
    out = {}
    for algo in ("fpgrowth", "apriori_low_memory", "apriori_default"):
        proc = subprocess.run([sys.executable, __file__, "--child", algo, str(n), str(min_support)],
                              capture_output=True, text=True, preexec_fn=_capped(int(cap_gib * 2**30)),
                              timeout=1800)
        if proc.returncode == 0:
            out[algo] = json.loads(proc.stdout.strip().splitlines()[-1])
            r = out[algo]
            print(f"  {algo:20s} {r['seconds']:8.2f} s   peak {r['peak_mib']:8.0f} MiB "
                  f"(mining {r['mining_mib']:7.0f} MiB)   {r['itemsets']} itemsets")
        else:
            tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
            over = "MemoryError" in proc.stderr or "Unable to allocate" in proc.stderr
            out[algo] = {"failed": "over the memory cap" if over else tail}
            print(f"  {algo:20s} failed: {out[algo]['failed']} (cap {cap_gib} GiB)")
    f = out["fpgrowth"]
    for algo in ("apriori_low_memory", "apriori_default"):
        r = out[algo]
        if "seconds" in r and "seconds" in f:
            print(f"  ratio {algo} / fpgrowth: time {r['seconds'] / f['seconds']:.2f}x, "
                  f"peak memory {r['peak_mib'] / f['peak_mib']:.2f}x")
    return out


def make_customers(n: int, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """Behaviour-like features of n customers from 4 planted groups (mix shares, channel, hour, RFM)."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 4, n)
    mix = rng.dirichlet(np.ones(4) * 0.6, n) * 0.4
    mix[np.arange(n), g] += 0.6
    hour = (np.array([21.0, 23.5, 12.5, 10.0])[g] + rng.normal(0, 1.5, n)) / 24 * 2 * np.pi
    df = pd.DataFrame({f"share_{i}": mix[:, i] for i in range(4)})
    df["hour_sin"], df["hour_cos"] = np.sin(hour), np.cos(hour)
    df["recency_days"] = rng.exponential(120, n)
    df["frequency"] = 1.0 + rng.poisson(4, n)
    df["tenure_days"] = df["recency_days"] + rng.uniform(0, 600, n)
    df["gap_ratio"] = df["recency_days"] / (df["tenure_days"] / df["frequency"])
    return df, g


def naive_kmeans(X: np.ndarray, k: int, iters: int = 100, seed: int = 0) -> np.ndarray:
    """Plain Lloyd iterations in NumPy, one random start (the textbook algorithm)."""
    rng = np.random.default_rng(seed)
    c = X[rng.choice(len(X), k, replace=False)]
    lab = np.zeros(len(X), int)
    for _ in range(iters):
        d = ((X[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)
        new = d.argmin(axis=1)
        if (new == lab).all() and _ > 0:
            break
        lab = new
        c = np.array([X[lab == j].mean(axis=0) if (lab == j).any() else c[j] for j in range(k)])
    return lab


def bench_segment(n: int) -> dict:
    from sklearn.metrics import adjusted_rand_score
    from sklearn.preprocessing import StandardScaler

    from crmlab.mining import segment

    df, g = make_customers(n)
    feats = [c for c in df if c.startswith(("share_", "hour_"))]
    t0 = time.perf_counter()
    s = segment(df, feats, k=4, transform="none")
    t_crm = time.perf_counter() - t0
    X = StandardScaler().fit_transform(df[feats])
    t0 = time.perf_counter()
    lab = naive_kmeans(X, 4)
    t_naive = time.perf_counter() - t0
    ari = adjusted_rand_score(g, s.labels)
    print(f"  crmlab segment (k-means, n_init=10) {t_crm:7.2f} s   ARI vs planted {ari:.3f}")
    print(f"  naive NumPy Lloyd (1 start)          {t_naive:7.2f} s   ARI vs planted {adjusted_rand_score(g, lab):.3f}")
    print(f"  ratio naive / crmlab: {t_naive / t_crm:.2f}x (crmlab runs 10 starts)")
    return {"crmlab_s": t_crm, "naive_s": t_naive, "ari": ari}


def bench_churn(n: int) -> dict:
    from crmlab.mining import churn_model

    out = {}
    for size in (n // 10, n):
        df, _ = make_customers(size, seed=2)
        rng = np.random.default_rng(3)
        eta = -1.0 + 0.012 * df.recency_days - 0.25 * df.frequency + 0.4 * np.log1p(df.gap_ratio)
        df["churned"] = (rng.random(size) < 1 / (1 + np.exp(-eta))).astype(int)
        df["customer_id"] = np.arange(size)
        t0 = time.perf_counter()
        r = churn_model(df)
        out[size] = time.perf_counter() - t0
        print(f"  churn_model on {size:>9,} customers: {out[size]:7.2f} s   AUC logit {r.auc['logit']:.3f}, "
              f"baseline {r.auc['baseline']:.3f}")
    print(f"  ratio {n:,} / {n // 10:,}: {out[n] / out[n // 10]:.2f}x for 10x the customers")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--cap-gib", type=float, default=6.0)
    ap.add_argument("--min-support", type=float, default=0.002)
    ap.add_argument("--child", nargs=3)
    a = ap.parse_args()
    if a.child:
        _child(a.child[0], int(a.child[1]), float(a.child[2]))
        return
    scale = 10 if a.quick else 1
    print(f"1. frequent itemsets, {200_000 // scale:,} baskets × {N_ITEMS} categories, min_support {a.min_support}")
    bench_itemsets(200_000 // scale, a.min_support, a.cap_gib)
    print(f"2. segmentation of {1_000_000 // scale:,} customers")
    bench_segment(1_000_000 // scale)
    print(f"3. churn model fit on {1_000_000 // scale:,} customers")
    bench_churn(1_000_000 // scale)


if __name__ == "__main__":
    main()
