"""Large builds in blocks of customers: the same model, with memory bounded by a block, not the build.

A build of more than :data:`BLOCK_SIZE` customers is generated block by block. Block 0 is exactly
the build of its first ``BLOCK_SIZE`` customers. Each later block runs the same generators on the
next customers with random streams of its own (``ctx.rng`` appends ``#block<b>`` to the stream
name), and is written and dropped before the next one starts:

* customer ids continue across blocks (block b starts at ``b × BLOCK_SIZE + 1``);
* the ids of contacts, orders (with the hold-out: one sequence), tickets, tasks, interactions,
  opportunities and stage history are shifted past the previous blocks', with every reference to
  them and the codes made from them (``order_no``, ``ticket_no``, opportunity ``code``, ...);
* the company's own tables (staff, roles, categories, suppliers, catalog, campaigns, pipeline
  stages, automation rules, survey instruments) are the same in every block and written once;
* the important-customer threshold learnt in block 0 is applied to every block (the rule stays
  one rule), the satisfaction surveys sample block 0's customers, and each block's sales team
  works its own opportunities;
* realised counts in the truths are summed over blocks and campaign response rates are averaged
  weighted by members; campaign costs are recomputed from all members contacted.

Blocks go to a chain of forked writers (``ForkLoader(chain=True)``): while block b is written, block
b + 1 is generated; at most two blocks are held at a time.
"""
from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np

from crmlab.db import loader, schema
from crmlab.db.io import format_codes
from crmlab.simulate.campaigns import campaign_costs
from crmlab.simulate.config import SimConfig
from crmlab.simulate.context import SimContext
from crmlab.simulate.people import People

#: Customers per block (a build of at most this many is one block, built as before).
BLOCK_SIZE = 100_000

#: Tables describing the company itself: identical in every block, written from block 0.
COMPANY = frozenset({"teams", "roles", "role_permissions", "users", "customer_categories", "suppliers",
                     "product_categories", "products", "campaigns", "pipeline_stages", "automation_rules",
                     "survey_instruments", "survey_items"})

#: Tables whose ids later blocks shift, and the id sequence each uses (orders and hold-out share one).
SHIFTED = {"contacts": "contacts", "orders": "orders", "holdout_orders": "orders", "tickets": "tickets",
           "tasks": "tasks", "interactions": "interactions", "opportunities": "opportunities",
           "opportunity_stage_history": "opportunity_stage_history"}

#: Codes made from an id: column, prefix, digits.
CODES = {"orders": ("order_no", "O", 8), "holdout_orders": ("order_no", "O", 8),
         "tickets": ("ticket_no", "T", 6), "opportunities": ("code", "OPP", 6)}

COMPLAINT_TITLES = ("投诉回复 ", "Reply to complaint ")   # service.py: a complaint task names its ticket


def _shift(values, by: int):
    """Add ``by`` to an id column (int array, or object array with None for missing)."""
    arr = np.asarray(values)
    if by == 0:
        return arr
    if arr.dtype.kind in "iu":
        return arr + by
    out = arr.copy()
    present = np.array([v is not None for v in arr.tolist()], dtype=bool)
    out[present] = (np.asarray(arr[present].tolist(), dtype=np.int64) + by).tolist()
    return out


def _max_id(values) -> int:
    arr = np.asarray(values)
    if arr.dtype == object:
        arr = np.asarray([v for v in arr.tolist() if v is not None], dtype=np.int64)
    return int(arr.max()) if len(arr) else 0


class BlockSink:
    """Between the generators of one block and the loader: drops company tables after block 0,
    shifts ids and codes, and keeps the id sequences running."""

    def __init__(self, writers):
        self.writers = writers
        self.offset: dict[str, int] = {}
        self.block = 0
        self.base: dict[str, int] = {}
        self.top: dict[str, int] = {}

    def start(self, block: int) -> None:
        self.block = block
        self.base = dict(self.offset)
        self.top = {}

    def end(self) -> None:
        for seq, top in self.top.items():
            self.offset[seq] = self.base.get(seq, 0) + top

    def send(self, table: str, columns: dict) -> None:
        if self.block and table in COMPANY:
            return
        columns = dict(columns)
        if self.block and table == "contacts":
            # supplier contacts belong to the company: block 0 wrote them
            keep = np.array([v is None for v in np.asarray(columns["supplier_id"]).tolist()], dtype=bool)
            columns = {c: np.asarray(v)[keep] for c, v in columns.items()}
        if table in SHIFTED:
            seq = SHIFTED[table]
            pk = schema.table(table).primary_key.columns.keys()[0]
            self.top[seq] = max(self.top.get(seq, 0), _max_id(columns[pk]))
        if self.block:
            self._shift_ids(table, columns)
        self.writers.send(table, columns)

    def _shift_ids(self, table: str, columns: dict) -> None:
        t = schema.table(table)
        for fk in t.foreign_keys:
            ref = fk.column.table.name
            if ref in SHIFTED and fk.parent.name in columns:
                columns[fk.parent.name] = _shift(columns[fk.parent.name], self.base.get(SHIFTED[ref], 0))
        if table in SHIFTED:
            pk = t.primary_key.columns.keys()[0]
            columns[pk] = _shift(columns[pk], self.base.get(SHIFTED[table], 0))
            ids = np.asarray(columns[pk], dtype=np.int64)
            if table in CODES:
                col, prefix, width = CODES[table]
                columns[col] = format_codes(prefix, ids, width)
            if table == "contacts":
                columns["email"] = np.array([f"contact{i}@partner.example.com" for i in ids.tolist()], dtype=object)
            if table == "tasks":
                title = np.asarray(columns["title"]).copy()
                ticket = np.asarray(columns["ticket_id"])
                for i in np.flatnonzero(np.asarray(columns["kind"]) == "complaint_response").tolist():
                    for prefix in COMPLAINT_TITLES:
                        if str(title[i]).startswith(prefix):
                            title[i] = f"{prefix}{ticket[i]}"
                columns["title"] = title

    def commit(self) -> None:
        self.writers.commit()

    def run_apart(self, sim, fn, prepare) -> bool:
        return False            # blocks are written in order: every step runs in the producer


#: Realised counts in the truths (summed over blocks); every other value is block 0's (planted).
COUNTS = frozenset({"purchases", "campaign_incremental", "noise_orders", "n_opportunities", "n_tickets",
                    "n_complaints", "n_complaint_breaches"})
COUNT_DICTS = frozenset({"root_cause_counts"})


def merge_truth(acc: dict, new: dict, counts: bool = False) -> dict:
    """Combine the truths of two blocks: counts add up; campaign response rates are member-weighted.

    >>> merge_truth({"service": {"n_tickets": 3, "tickets_per_order": 0.05}},
    ...             {"service": {"n_tickets": 3, "tickets_per_order": 0.05}})
    {'service': {'n_tickets': 6, 'tickets_per_order': 0.05}}
    """
    out = dict(acc)
    for key, value in new.items():
        if key not in out:
            out[key] = value
        elif key == "campaigns":
            out[key] = {code: _merge_campaign(out[key][code], t) if code in out[key] else t
                        for code, t in value.items()}
        elif isinstance(value, dict) and isinstance(out[key], dict):
            out[key] = merge_truth(out[key], value, counts=key in COUNT_DICTS)
        elif (counts or key in COUNTS) and isinstance(value, int) and not isinstance(value, bool):
            out[key] = out[key] + value
    return out


def _merge_campaign(a: dict, b: dict) -> dict:
    out = dict(a)
    m = a["members"] + b["members"]
    out["members"], out["control"] = m, a["control"] + b["control"]
    for k in ("response_control", "response_treatment"):
        if m:
            out[k] = ((a[k] or 0.0) * a["members"] + (b[k] or 0.0) * b["members"]) / m
    if m:
        out["uplift"] = out["response_treatment"] - out["response_control"]
    return out


def generate_in_blocks(config: SimConfig, writers, run_steps, progress: bool = False) -> SimpleNamespace:
    """Generate ``config.n_customers`` customers block by block into ``writers`` (a chained ForkLoader).

    Returns what the closing writes need: the whole build's ``config``, merged ``truth``,
    ``campaign_rows`` (to restate costs) and ``row_counts``.
    """
    from tqdm.auto import tqdm

    sink = BlockSink(writers)
    people = People(config.locale, config.seed)
    n = config.n_customers
    starts = list(range(0, n, BLOCK_SIZE))
    truth, threshold, campaign_rows = None, None, None
    for b, lo in enumerate(tqdm(starts, desc="blocks", unit="block", disable=not progress, leave=False)):
        size = min(BLOCK_SIZE, n - lo)
        ctx = SimContext(dataclasses.replace(config, n_customers=size), block=b, first_customer_id=lo + 1,
                         people=people)
        ctx.category_threshold = threshold
        ctx.sink = sink
        sink.start(b)
        run_steps(ctx)
        sink.end()
        threshold = ctx.category_threshold
        truth = ctx.truth if truth is None else merge_truth(truth, ctx.truth)
        if b == 0:
            campaign_rows = getattr(ctx, "campaign_rows", None)
        del ctx
    return SimpleNamespace(config=config, truth=truth, campaign_rows=campaign_rows, row_counts=None)


def restate_campaign_costs(con, truth: dict, campaign_rows) -> None:
    """Campaign budgets and costs from every member contacted (block 0 wrote them for its own)."""
    if campaign_rows is None or not len(campaign_rows):
        return
    by_id = {t["campaign_id"]: t for t in truth.get("campaigns", {}).values()}
    for row in campaign_rows.itertuples(index=False):
        t = by_id.get(row.campaign_id)
        if t is None:
            continue
        c = campaign_costs(t["members"] - t["control"], row.cost_per_contact)
        con.execute("UPDATE campaigns SET budget = ?, actual_cost = ? WHERE campaign_id = ?",
                    (c["budget"], c["actual_cost"], int(row.campaign_id)))
