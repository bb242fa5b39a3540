"""Speed of crmlab.value on a large shop, against a per-customer Python loop in the same run.

    python benchmarks/value.py                 # 1,000,000 customers, ~10,000,000 order rows
    python benchmarks/value.py --customers 100000

The orders frame is synthesised directly with numpy (not through ``crmlab.simulate``, which would
spend minutes writing a database): each customer gets 1 + Poisson(9) order rows spread over two
years, amounts ~ Gamma(2, 60) yuan, cost 60 % of the amount. The naive baseline is a plain Python
loop over customers (dict of lists, then per-customer min/max/sum and a Python sort); it runs on a
random 1 % of the customers and its time is scaled ×100 (it is linear in the number of rows), so
the ratio is measured in the same run without waiting half an hour.

BG/NBD + Gamma-Gamma fits are timed on CDNOW (2,357 customers; best of 5) and on 100,000
customers drawn from a BG/NBD population with numpy; lifetimes is timed side by side when it
imports.
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from tqdm import tqdm

import crmlab.value as cv


def synth_orders(n_customers: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    k = 1 + rng.poisson(9, n_customers)
    cid = np.repeat(np.arange(1, n_customers + 1, dtype=np.int64), k)
    start = np.datetime64("2023-01-01T00:00:00", "s")
    seconds = rng.integers(0, 2 * 365 * 86400, cid.size)
    amount = np.round(rng.gamma(2.0, 60.0, cid.size), 2)
    return pd.DataFrame({"customer_id": cid, "ordered_at": start + seconds.astype("timedelta64[s]"),
                         "amount": amount, "cost": np.round(amount * 0.6, 2), "profit": np.round(amount * 0.4, 2)})


def timed(fn, repeat=1, cpu=False):
    """Best wall time of ``repeat`` runs (or best process CPU time with cpu=True: on a shared
    machine wall time of a 20 ms fit varies 10x with other people's load)."""
    best = np.inf
    out = None
    clock = time.process_time if cpu else time.perf_counter
    for _ in range(repeat):
        t = clock()
        out = fn()
        best = min(best, clock() - t)
    return best, out


# ---------------------------------------------------------------- naive per-customer loops
def _group(orders):
    by = {}
    for c, t, a in zip(orders["customer_id"].tolist(), orders["ordered_at"].tolist(), orders["amount"].tolist()):
        by.setdefault(c, []).append((t, a))
    return by


def naive_rfm(orders, at):
    by = _group(orders)
    rows = {}
    for c, lst in by.items():
        last = max(t for t, _ in lst)
        rows[c] = ((at - last).days, len(lst), sum(a for _, a in lst))
    out = {}
    n = len(rows)
    for j, higher in ((0, False), (1, True), (2, True)):
        order = sorted(rows, key=lambda c: (rows[c][j] if higher else -rows[c][j], c))
        for rank, c in enumerate(order):
            out.setdefault(c, [0, 0, 0])[j] = rank * 5 // n + 1
    return out


def naive_pareto(orders):
    by = _group(orders)
    totals = sorted(((sum(a for _, a in lst), c) for c, lst in by.items()), key=lambda x: (-x[0], x[1]))
    grand = sum(v for v, _ in totals)
    cum, curve = 0.0, []
    for v, c in totals:
        cum += v
        curve.append((c, cum / grand))
    return curve


def naive_pyramid(orders):
    curve = naive_pareto(orders)
    n = len(curve)
    cuts = [int(np.floor(s * n + 0.5)) for s in (0.01, 0.20, 0.50, 1.0)]
    return {c: next(i for i, k in enumerate(cuts) if r < k) for r, (c, _) in enumerate(curve)}


def naive_summary(orders, end):
    by = _group(orders)
    out = {}
    for c, lst in by.items():
        days = sorted({t.normalize() for t, _ in lst})
        out[c] = (len(days) - 1, (days[-1] - days[0]).days / 7, (end - days[0]).days / 7)
    return out


# ---------------------------------------------------------------- BG/NBD population
def bgnbd_population(n, r=0.85, alpha=5.0, a=0.7, b=3.5, seed=1):
    rng = np.random.default_rng(seed)
    T = rng.uniform(10, 104, n)
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    x = np.zeros(n, int)
    tx = np.zeros(n)
    t = np.zeros(n)
    alive = np.ones(n, bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        tn = t[idx] + rng.exponential(1 / lam[idx])
        inside = tn <= T[idx]
        buy = idx[inside]
        x[buy] += 1
        tx[buy] = tn[inside]
        t[idx] = tn
        alive[idx[~inside]] = False
        alive[buy[rng.random(buy.size) < p[buy]]] = False
    nu = rng.gamma(4.0, 1 / 150.0, n)                     # Gamma-Gamma: p = 6, q = 4, γ = 150
    xs = np.maximum(x, 1)
    spend = rng.gamma(6.0 * xs, 1 / (nu * xs))              # mean of x Gamma(6, ν) order values
    return pd.DataFrame({"frequency": x, "recency": tx, "T": T, "monetary": np.where(x > 0, spend, 0.0)})


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--sample", type=float, default=0.01, help="share of customers for the naive loop")
    args = ap.parse_args(argv)

    t, orders = timed(lambda: synth_orders(args.customers))
    at = pd.Timestamp("2025-01-01")
    print(f"synthesised {args.customers:,} customers / {len(orders):,} order rows in {t:.1f} s")
    rng = np.random.default_rng(2)
    chosen = rng.choice(orders["customer_id"].unique(), int(args.customers * args.sample), replace=False)
    small = orders[orders["customer_id"].isin(chosen)]
    scale = len(orders) / len(small)

    jobs = [
        ("RFM (rfm)", lambda: cv.rfm(orders, at=at), lambda: naive_rfm(small, at)),
        ("Pareto curve (pareto)", lambda: cv.pareto(orders, value="amount"), lambda: naive_pareto(small)),
        ("pyramid (pyramid)", lambda: cv.pyramid(orders, value="profit"), lambda: naive_pyramid(small)),
        ("summary table (summary_data_from_orders)",
         lambda: cv.summary_data_from_orders(orders, observation_end=at), lambda: naive_summary(small, at)),
    ]
    rows = []
    for name, fast, slow in tqdm(jobs, desc="grading benchmarks"):
        tf, _ = timed(fast, repeat=3)          # best of 3: the machine may be shared
        cf, _ = timed(fast, repeat=3, cpu=True)
        ts, _ = timed(slow)
        cs, _ = timed(slow, cpu=True)
        rows.append({"task": name, "crmlab_s": tf, "naive_s_scaled": ts * scale, "speed-up": ts * scale / tf,
                     "crmlab_cpu_s": cf, "naive_cpu_s_scaled": cs * scale, "cpu_speed-up": cs * scale / cf})
    print(pd.DataFrame(rows).round(3).to_string(index=False))
    print(f"(naive loop timed on {len(small):,} rows = {args.sample:.0%} of the customers, scaled ×{scale:.1f})")

    cd = cv.load_cdnow()
    t_bg, fit = timed(lambda: cv.fit_bgnbd(cd), repeat=10)
    t_gg, gg = timed(lambda: cv.fit_gamma_gamma(cd), repeat=10)
    c_bg, _ = timed(lambda: cv.fit_bgnbd(cd), repeat=10, cpu=True)
    c_gg, _ = timed(lambda: cv.fit_gamma_gamma(cd), repeat=10, cpu=True)
    fits = [{"data": "CDNOW 2,357", "library": "crmlab", "BG/NBD_s": t_bg, "GammaGamma_s": t_gg,
             "BG/NBD_cpu_s": c_bg, "GammaGamma_cpu_s": c_gg,
             "r": fit.r, "alpha": fit.alpha, "a": fit.a, "b": fit.b, "p": gg.p, "q": gg.q, "gamma": gg.gamma}]
    pop = bgnbd_population(100_000)
    t_bg2, fit2 = timed(lambda: cv.fit_bgnbd(pop))
    t_gg2, gg2 = timed(lambda: cv.fit_gamma_gamma(pop))
    fits.append({"data": "simulated 100,000", "library": "crmlab", "BG/NBD_s": t_bg2, "GammaGamma_s": t_gg2,
                 "r": fit2.r, "alpha": fit2.alpha, "a": fit2.a, "b": fit2.b, "p": gg2.p, "q": gg2.q,
                 "gamma": gg2.gamma})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from lifetimes import BetaGeoFitter, GammaGammaFitter

            for label, d in (("CDNOW 2,357", cd), ("simulated 100,000", pop)):
                bgf = BetaGeoFitter()
                reps = 10 if len(d) < 5000 else 1
                fit_bg = lambda: bgf.fit(d["frequency"], d["recency"], d["T"])  # noqa: E731
                rep = d[d["frequency"] > 0]
                fit_gg = lambda: GammaGammaFitter().fit(rep["frequency"], rep["monetary"])  # noqa: E731
                tl, _ = timed(fit_bg, repeat=reps)
                tg, ggl = timed(fit_gg, repeat=reps)
                row = {"data": label, "library": "lifetimes", "BG/NBD_s": tl, "GammaGamma_s": tg}
                if len(d) < 5000:
                    row["BG/NBD_cpu_s"] = timed(fit_bg, repeat=reps, cpu=True)[0]
                    row["GammaGamma_cpu_s"] = timed(fit_gg, repeat=reps, cpu=True)[0]
                pr = bgf.params_
                row.update(r=pr["r"], alpha=pr["alpha"], a=pr["a"], b=pr["b"], p=ggl.params_["p"],
                           q=ggl.params_["q"], gamma=ggl.params_["v"])
                fits.append(row)
    except Exception as exc:  # noqa: BLE001  (lifetimes is archived; report why it did not run)
        print(f"lifetimes not compared: {type(exc).__name__}: {exc}")
    print(pd.DataFrame(fits).round(4).to_string(index=False))
    print("planted for the simulated 100,000: r=0.85, alpha=5.0, a=0.7, b=3.5; spend p=6, q=4, gamma=150")


if __name__ == "__main__":
    main()
