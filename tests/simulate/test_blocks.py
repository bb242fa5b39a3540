"""Large builds in blocks: block 0 is the small build itself; later blocks continue every id sequence.

``blocks.BLOCK_SIZE`` is lowered so that a few hundred customers make several blocks. Expected
values come from the one-block build of the same seed and from the tables themselves (every
reference resolves, every code matches its id, counts in the truths match the rows).
"""
from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

import crmlab
from crmlab.db import loader
from crmlab.simulate import blocks, build
from crmlab.simulate.campaigns import campaign_costs

pytestmark = pytest.mark.skipif(not loader.available(), reason="builds in blocks need forked writers (Linux)")

BLOCK = 250


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setattr(build, "PARALLEL_FROM", 0)
    mp.setattr(blocks, "BLOCK_SIZE", BLOCK)
    folder = tmp_path_factory.mktemp("blocks")
    try:
        big = crmlab.simulate(n_customers=3 * BLOCK + 40, seed=8, url=f"sqlite:///{folder / 'big.db'}")
        again = crmlab.simulate(n_customers=3 * BLOCK + 40, seed=8, url=f"sqlite:///{folder / 'again.db'}")
    finally:
        mp.undo()
    one = crmlab.simulate(n_customers=BLOCK, seed=8, url=f"sqlite:///{folder / 'one.db'}")
    return big, again, one, folder


def test_same_seed_same_database(built):
    big, again, _, _ = built
    assert crmlab.fingerprint(big) == crmlab.fingerprint(again)


def test_block_zero_is_the_small_build(built):
    big, _, one, _ = built
    for table, key in [("customers", "customer_id"), ("orders", "customer_id"), ("truth_customers", "customer_id"),
                       ("tickets", "customer_id"), ("interactions", "customer_id")]:
        a = crmlab.read_table(big, table)
        a = a.loc[a[key] <= BLOCK].reset_index(drop=True)
        b = crmlab.read_table(one, table)
        pd.testing.assert_frame_equal(a, b, check_dtype=False, obj=table)
    for table in blocks.COMPANY - {"campaigns"}:
        pd.testing.assert_frame_equal(crmlab.read_table(big, table), crmlab.read_table(one, table),
                                      check_dtype=False, obj=table)


def test_every_reference_resolves_and_codes_follow_ids(built):
    big, _, _, folder = built
    con = sqlite3.connect(folder / "big.db")
    try:
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("SELECT count(*) FROM customers").fetchone()[0] == 3 * BLOCK + 40
        for table, col, fmt in [("customers", "customer_code", "C%06d"), ("orders", "order_no", "O%08d"),
                                ("holdout_orders", "order_no", "O%08d"), ("tickets", "ticket_no", "T%06d"),
                                ("opportunities", "code", "OPP%06d")]:
            pk = {"customers": "customer_id", "orders": "order_id", "holdout_orders": "order_id",
                  "tickets": "ticket_id", "opportunities": "opportunity_id"}[table]
            bad = con.execute(f"SELECT count(*) FROM {table} WHERE {col} <> printf('{fmt}', {pk})").fetchone()[0]
            assert bad == 0, table
        # orders and the hold-out share one id sequence
        assert con.execute("SELECT count(*) FROM orders o JOIN holdout_orders h USING (order_id)").fetchone()[0] == 0
        # supplier contacts once, customer contacts for every block's business customers
        assert con.execute("SELECT count(*) FROM contacts WHERE supplier_id IS NOT NULL").fetchone()[0] == \
            con.execute("SELECT count(*) FROM contacts c JOIN suppliers s USING (supplier_id)").fetchone()[0]
        late = con.execute("SELECT count(*) FROM contacts c JOIN customers k USING (customer_id) "
                           "WHERE k.customer_id > ?", (BLOCK,)).fetchone()[0]
        assert late > 0
        bad_title = con.execute("SELECT count(*) FROM tasks WHERE kind = 'complaint_response' "
                                "AND title NOT LIKE '%' || ticket_id").fetchone()[0]
        assert bad_title == 0
        assert con.execute("SELECT count(DISTINCT email) = count(*) FROM contacts").fetchone()[0] == 1
    finally:
        con.close()


def test_truths_count_every_block(built):
    big, _, _, _ = built
    t = crmlab.truth(big).params
    members = crmlab.read_table(big, "campaign_members")
    campaigns = crmlab.read_table(big, "campaigns").set_index("campaign_id")
    for code, c in t["campaigns"].items():
        mine = members.loc[members.campaign_id == c["campaign_id"]]
        assert c["members"] == len(mine)
        assert c["control"] == int((mine.group == "control").sum())
        assert abs(c["uplift"] - (c["response_treatment"] - c["response_control"])) < 1e-12
        costs = campaign_costs(len(mine) - c["control"], campaigns.loc[c["campaign_id"], "cost_per_contact"])
        assert campaigns.loc[c["campaign_id"], "actual_cost"] == pytest.approx(costs["actual_cost"])
    assert t["funnel"]["n_opportunities"] == len(crmlab.read_table(big, "opportunities"))
    assert t["service"]["n_tickets"] == len(crmlab.read_table(big, "tickets"))
    orders = crmlab.read_table(big, "orders")
    counts = t["purchase"]["counts"]["orders"]
    assert counts["purchases"] + counts["campaign_incremental"] + counts["noise_orders"] == len(orders)
    # one category rule for all: important iff the last year's paid spend reaches block 0's threshold
    cats = crmlab.read_table(big, "customer_categories").set_index("code")
    assert cats.loc["important", "min_annual_spend"] == pytest.approx(t["categories"]["important_min_annual_spend"])
