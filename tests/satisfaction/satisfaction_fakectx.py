"""A minimal stand-in for the simulator's context (``crmlab.simulate.context.SimContext``), so the
survey generator can be tested on its own and fast."""
from __future__ import annotations

import zlib

import numpy as np
import pandas as pd


class FakeCtx:
    def __init__(self, n_customers=2000, seed=0):
        self.seed = seed
        rng = np.random.default_rng([seed, 99])
        self.customers = pd.DataFrame({
            "customer_id": np.arange(1, n_customers + 1, dtype=np.int64),
            "registered_at": np.datetime64("2023-01-01") + rng.integers(0, 700, n_customers).astype("timedelta64[D]"),
            "attitude": rng.standard_normal(n_customers),
        })
        self.now = np.datetime64("2024-12-31T00:00:00")
        self.tables: dict[str, pd.DataFrame] = {}
        self.truth: dict = {}

    def rng(self, name):
        return np.random.default_rng([self.seed, zlib.crc32(name.encode())])

    def write(self, table, cols):
        self.tables[table] = pd.DataFrame(cols)

