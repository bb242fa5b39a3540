"""Speed of module M4 (crmlab.satisfaction), with naive baselines in the same run.

* SEM fit time (semopy, the simulator's full index model) for 2,000 and 50,000 respondents;
* Kano classification + feature table on 1,000,000 answers (500,000 answer pairs) vs a
  row-by-row Python loop over the evaluation table;
* SERVQUAL dimension gaps on 1,000,000 answers vs a row-by-row loop accumulating sums.

Run: ``python benchmarks/satisfaction.py`` (prints seconds and ratios; asserts nothing about time,
only that the fast and naive results agree).
"""
from __future__ import annotations

import time
import zlib

import numpy as np
import pandas as pd

from crmlab import satisfaction as S
from crmlab.simulate import survey as sim


class _Ctx:
    """Just enough of the simulator context to run the survey generator alone."""

    def __init__(self, n, seed=0):
        rng = np.random.default_rng(seed)
        self.seed = seed
        self.customers = pd.DataFrame({"customer_id": np.arange(1, n + 1, dtype=np.int64),
                                       "registered_at": np.datetime64("2023-01-01", "s"),
                                       "attitude": rng.standard_normal(n)})
        self.now = np.datetime64("2024-12-31T00:00:00")
        self.tables, self.truth = {}, {}

    def rng(self, name):
        return np.random.default_rng([self.seed, zlib.crc32(name.encode())])

    def write(self, table, cols):
        self.tables[table] = pd.DataFrame(cols)


def survey_tables(n_csi, n_other=1000):
    saved = sim.CSI_RESPONDENTS, sim.SERVQUAL_RESPONDENTS, sim.KANO_RESPONDENTS
    sim.CSI_RESPONDENTS, sim.SERVQUAL_RESPONDENTS, sim.KANO_RESPONDENTS = n_csi, n_other, n_other
    try:
        ctx = _Ctx(max(n_csi, n_other))
        sim.generate(ctx)
    finally:
        sim.CSI_RESPONDENTS, sim.SERVQUAL_RESPONDENTS, sim.KANO_RESPONDENTS = saved
    return ctx


def timed(fn, *a, repeat=1, **k):
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*a, **k)
        best = min(best, time.perf_counter() - t)
    return best, out


def bench_sem():
    print("SEM fit (semopy, 'full' model: 7 latents, 21 items, 12 paths)")
    for n in (2_000, 50_000):
        ctx = survey_tables(n)
        wide = S.survey_wide(ctx.tables, "csi")
        sec, res = timed(S.satisfaction_index, wide, model="full")
        err = S.compare_with_truth(res, ctx.truth["survey"]["csi"]["paths"])["error"].abs().max()
        print(f"  n = {n:>6,}: {sec:6.2f} s (fit + SEs + fit indices), max |path error| {err:.3f}, "
              f"CFI {res.fit['cfi']:.3f}, RMSEA {res.fit['rmsea']:.3f}")


def naive_kano(df):
    table = sim.KANO_TABLE
    counts = {}
    for row in df.itertuples(index=False):
        cat = table[row.functional - 1][row.dysfunctional - 1]
        c = counts.setdefault(row.feature, {k: 0 for k in "AOMIRQ"})
        c[cat] += 1
    out = {}
    for f, c in counts.items():
        den = c["A"] + c["O"] + c["M"] + c["I"]
        out[f] = (max(c, key=c.get), (c["A"] + c["O"]) / den, -(c["O"] + c["M"]) / den)
    return out


def bench_kano(n_answers=1_000_000):
    rng = np.random.default_rng(1)
    pairs = n_answers // 2
    feats = np.array(list(sim.KANO_FEATURES))
    df = pd.DataFrame({"feature": feats[rng.integers(0, len(feats), pairs)],
                       "functional": rng.integers(1, 6, pairs), "dysfunctional": rng.integers(1, 6, pairs)})
    fast_t, fast = timed(S.kano_table, df, repeat=3)
    slow_t, slow = timed(naive_kano, df)
    fast = fast.set_index("feature")
    for f, (cat, b, w) in slow.items():
        assert fast.loc[f, "category"] == cat and abs(fast.loc[f, "better"] - b) < 1e-12
    print(f"Kano on {n_answers:,} answers ({pairs:,} pairs): vectorised {fast_t:.3f} s, "
          f"row-by-row loop {slow_t:.3f} s, ratio {slow_t / fast_t:.1f}x")


def naive_servqual(df):
    sums = {}
    for row in df.itertuples(index=False):
        key = (row.dimension, row.item[:-2])
        s = sums.setdefault(key, {"expectation": [0.0, 0], "perception": [0.0, 0]})
        s[row.facet][0] += row.value
        s[row.facet][1] += 1
    dims = {}
    for (d, _), s in sums.items():
        gap = s["perception"][0] / s["perception"][1] - s["expectation"][0] / s["expectation"][1]
        dims.setdefault(d, []).append(gap)
    return {d: sum(g) / len(g) for d, g in dims.items()}


def bench_servqual(n_answers=1_000_000):
    items = [(d, f"{d[:3]}{j}") for d, v in sim.SERVQUAL_DIMS.items() for j in range(1, len(v[3]) + 1)]
    n_resp = n_answers // (2 * len(items)) + 1
    rng = np.random.default_rng(2)
    dim = np.repeat([d for d, _ in items], 2)
    item = np.array([f"{b}_{f}" for _, b in items for f in "ep"])
    facet = np.tile(["expectation", "perception"], len(items))
    reps = n_resp
    df = pd.DataFrame({"response_id": np.repeat(np.arange(reps), len(item)), "item": np.tile(item, reps),
                       "dimension": np.tile(dim, reps), "facet": np.tile(facet, reps),
                       "value": rng.integers(1, 8, reps * len(item))}).iloc[:n_answers]
    fast_t, fast = timed(S.servqual_gaps, df, repeat=3)
    slow_t, slow = timed(naive_servqual, df)
    fast = fast.set_index("dimension")["gap"]
    for d, g in slow.items():
        assert abs(fast[d] - g) < 1e-9
    print(f"SERVQUAL on {len(df):,} answers: vectorised {fast_t:.3f} s, row-by-row loop {slow_t:.3f} s, "
          f"ratio {slow_t / fast_t:.1f}x")


if __name__ == "__main__":
    bench_sem()
    bench_kano()
    bench_servqual()
