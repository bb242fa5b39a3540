"""The context handed to each domain generator: config, seeded random streams, shared frames, writes."""
from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from crmlab.simulate.config import SimConfig
from crmlab.simulate.people import People


#: Streams of the company's own tables: the same in every block of a large build.
GLOBAL_STREAMS = frozenset({"staff", "suppliers", "catalog"})


def stream_seed(seed: int, name: str) -> list[int]:
    """A seed sequence for the named random stream: stable across runs and Python versions (hashlib)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return [int(seed), int.from_bytes(digest[:8], "little")]


class SimContext:
    """What a domain generator sees (see ``crmlab/simulate/README.md``, "Domains").

    Generators call :meth:`write` to add rows; the driver writes every table at the end, in
    foreign-key order, inside one transaction. Frames that later domains need (customers, orders,
    users, ...) are attributes.
    """

    def __init__(self, config: SimConfig, block: int = 0, first_customer_id: int = 1, people: People | None = None):
        self.config = config
        #: a large build is generated in blocks of customers (``blocks.py``); block 0 is a build of its own
        self.block = block
        self.first_customer_id = first_customer_id
        #: block 0's important-customer threshold, applied unchanged to later blocks
        self.category_threshold: float | None = None
        self.people = people or People(config.locale, config.seed)
        self.now = config.t_end
        self.truth: dict[str, Any] = {}
        self.tables: dict[str, dict[str, Any]] = {}
        self.row_counts: dict[str, int] = {}
        #: where :meth:`flush` sends finished tables (a loader with ``send(table, columns)``), if anywhere
        self.sink = None
        self.customers: pd.DataFrame | None = None
        self.orders: pd.DataFrame | None = None
        self.order_lines: pd.DataFrame | None = None
        self.users: pd.DataFrame | None = None
        self.products: pd.DataFrame | None = None
        self.product_categories: pd.DataFrame | None = None
        self.contacts: pd.DataFrame | None = None

    def rng(self, name: str) -> np.random.Generator:
        """An independent, deterministic random stream for one domain (or one part of it).

        Later blocks of a large build draw customers from streams of their own; the company's tables
        (staff, suppliers, catalog) come from the same streams in every block, so they are identical.
        """
        if self.block and name not in GLOBAL_STREAMS:
            name = f"{name}#block{self.block}"
        return np.random.default_rng(stream_seed(self.config.seed, name))

    def write(self, table: str, columns: dict[str, Any]) -> None:
        """Queue rows for ``table`` (a dict of equal-length columns; scalars are broadcast).

        Repeated calls for the same table append rows.
        """
        if isinstance(columns, pd.DataFrame):
            columns = {k: columns[k].to_numpy() for k in columns.columns}
        sized = {k: v for k, v in columns.items() if np.ndim(v) > 0 or isinstance(v, (list, pd.api.extensions.ExtensionArray))}
        lengths = {len(v) for v in sized.values()}
        if len(lengths) > 1:
            raise ValueError(f"{table}: columns have different lengths {sorted(lengths)}")
        n = lengths.pop() if lengths else 1
        cols = {}
        for k, v in columns.items():
            if k in sized:
                cols[k] = v if isinstance(v, pd.api.extensions.ExtensionArray) else np.asarray(v, dtype=object if isinstance(v, list) and any(x is None for x in v) else None)
            else:
                cols[k] = np.full(n, v, dtype=object if isinstance(v, str) or v is None else None)
        if table in self.tables:
            prev = self.tables[table]
            if set(prev) != set(cols):
                raise ValueError(f"{table}: appended rows must have the same columns")
            self.tables[table] = {k: _concat(prev[k], cols[k]) for k in prev}
        else:
            self.tables[table] = cols
        self.row_counts[table] = self.row_counts.get(table, 0) + n

    def flush(self, prepare) -> None:
        """Hand every queued table to the sink and forget it (frees memory while generation goes on).

        ``prepare(table_name, columns)`` turns queued columns into what the sink takes. Rows written to
        a table afterwards are appended by the sink in order.
        """
        if self.sink is None:
            return
        for name in list(self.tables):
            self.sink.send(name, prepare(name, self.tables.pop(name)))
        self.sink.commit()

    def write_frame(self, table: str, frame: pd.DataFrame) -> None:
        self.write(table, {c: frame[c].to_numpy() for c in frame.columns})

    def weeks_to_time(self, weeks) -> np.ndarray:
        """Weeks since observation start → datetime64[s]."""
        secs = np.round(np.asarray(weeks, dtype=float) * 7 * 86400).astype(np.int64)
        return self.config.t_start + secs.astype("timedelta64[s]")


def _concat(a, b):
    a = a.to_numpy(dtype=object, na_value=None) if isinstance(a, pd.api.extensions.ExtensionArray) else np.asarray(a)
    b = b.to_numpy(dtype=object, na_value=None) if isinstance(b, pd.api.extensions.ExtensionArray) else np.asarray(b)
    if a.dtype == object or b.dtype == object:
        return np.concatenate([a.astype(object), b.astype(object)])
    return np.concatenate([a, b])
