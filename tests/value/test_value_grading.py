"""Grading: the seed's three scenarios, the pyramid counts, ABC, RFM, KAISM, efficacy, Gale, delivered value."""
from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

from crmlab.errors import DataError
from crmlab.value import (abc, credit_score, customers_for_share, delivered_value, efficacy_scores, composite_score,
                          gale_value, kaism, pareto, pyramid, pyramid_summary, rfm, rfm_summary, top_share,
                          index_values)

pyr = importlib.import_module("crmlab.value.pyramid")


# ---- scenario 1 (seed 001): 18 of 100 customers ordered 8,000 of 10,000 万元 -------------------
@pytest.fixture
def scenario1():
    rng = np.random.default_rng(1)
    top = rng.dirichlet(np.ones(18)) * 0.5 + 0.5 / 18            # unequal, all larger than any small one
    top = top / top.sum() * 8000
    small = rng.dirichlet(np.ones(82)) * 0.3 + 0.7 / 82
    small = small / small.sum() * 2000
    assert small.max() < top.min()
    ids = rng.permutation(100)
    return pd.DataFrame({"customer_id": ids, "amount": np.r_[top, small]})


def test_pareto_scenario_18_percent_bring_80_percent(scenario1):
    assert customers_for_share(scenario1, 0.80) == pytest.approx(0.18)
    assert top_share(scenario1, 0.18) == pytest.approx(0.80)
    curve = pareto(scenario1)
    assert curve["value_share"].iloc[-1] == pytest.approx(1.0)
    assert curve["value_share"].iloc[17] == pytest.approx(0.80)
    assert curve.index[:18].isin(scenario1["customer_id"].iloc[:18]).all()


def test_pareto_aggregates_orders_per_customer():
    o = pd.DataFrame({"customer_id": [1, 2, 1, 3], "amount": [30.0, 50.0, 30.0, 10.0]})
    c = pareto(o)
    assert c.index.tolist() == [1, 2, 3] and c["value"].tolist() == [60.0, 50.0, 10.0]


# ---- scenario 2: profit vs volume ------------------------------------------------------------
def test_profit_vs_volume_ranking():
    d = pd.DataFrame({"customer_id": ["A", "B"], "order_value": [6000.0, 5000.0], "profit": [600.0, 750.0]})
    by_volume = pareto(d, value="order_value")
    by_profit = pareto(d, value="profit")
    assert by_volume.index[0] == "A" and by_profit.index[0] == "B"
    margins = d.set_index("customer_id").eval("profit / order_value")
    assert margins.to_dict() == pytest.approx({"A": 0.10, "B": 0.15})
    assert pyramid(d, value="profit", levels=pyr.THREE_LEVELS).loc["B", "rank"] == 1


# ---- scenario 3: credit -----------------------------------------------------------------------
def test_credit_scenario_yi_above_jia():
    d = pd.DataFrame({"customer": ["甲", "乙"], "amount": [1000.0, 800.0], "days_late": [183.0, 0.0]})
    s = credit_score(d, customer="customer")
    assert s.loc["乙", "credit_rank"] == 1 and s.loc["甲", "credit_rank"] == 2
    # the stated rule by hand: 1000 × (1 − 0.30) − 1000 × 0.08 × 183/365
    assert s.loc["甲", "credit_adjusted_value"] == pytest.approx(700 - 80 * 183 / 365)
    assert s.loc["乙", "credit_adjusted_value"] == pytest.approx(800)
    # ranked by order value alone, 甲 would come first
    assert pareto(d, value="amount", customer="customer").index[0] == "甲"


def test_credit_refuses_negative_lateness():
    with pytest.raises(DataError) as e:
        credit_score(pd.DataFrame({"amount": [1.0], "days_late": [-1.0]}))
    assert e.value.field == "days_late"


# ---- pyramid ----------------------------------------------------------------------------------
def test_pyramid_counts_for_2000():
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"customer_id": np.arange(2000), "profit": rng.lognormal(3, 1.5, 2000)})
    g = pyramid(d, value="profit")
    assert pyramid_summary(g)["n_customers"].tolist() == [20, 380, 600, 1000]
    # the top 20 by profit are the key customers
    top20 = d.nlargest(20, "profit")["customer_id"]
    assert set(g.index[g["level"] == "key"]) == set(top20)
    three = pyramid_summary(pyramid(d, value="profit", levels=pyr.THREE_LEVELS))
    assert three["n_customers"].tolist() == [400, 600, 1000]
    assert three["value_share"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("n, counts", [(100, [1, 19, 30, 50]), (150, [2, 28, 45, 75]), (10, [0, 2, 3, 5]),
                                       (250, [3, 47, 75, 125])])
def test_pyramid_rounding_rule_is_round_half_up_of_cumulative_share(n, counts):
    d = pd.DataFrame({"customer_id": range(n), "profit": np.arange(n, dtype=float)})
    assert pyramid_summary(pyramid(d))["n_customers"].tolist() == counts


def test_pyramid_ties_are_broken_by_customer_id():
    d = pd.DataFrame({"customer_id": [5, 3, 9, 1], "profit": [10.0, 10.0, 10.0, 10.0]})
    g = pyramid(d, levels=(("a", "a", "甲", 0.5), ("b", "b", "乙", 0.5)))
    assert g.index.tolist() == [1, 3, 5, 9]
    assert g["level"].astype(str).tolist() == ["a", "a", "b", "b"]


def test_pyramid_allows_losses_but_pareto_refuses_negative_money():
    d = pd.DataFrame({"customer_id": [1, 2], "profit": [-5.0, 10.0]})
    assert pyramid(d).index.tolist() == [2, 1]
    with pytest.raises(DataError) as e:
        pareto(d, value="profit")
    assert e.value.field == "profit" and "negative" in e.value.reason


# ---- ABC --------------------------------------------------------------------------------------
def test_abc_hand_example():
    d = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5, 6], "amount": [40.0, 30.0, 15.0, 10.0, 3.0, 2.0]})
    # shares before each: 0, .40, .70, .85, .95, .98 → A A A B C C
    assert abc(d)["abc_class"].tolist() == ["A", "A", "A", "B", "C", "C"]


# ---- RFM --------------------------------------------------------------------------------------
def test_rfm_quintiles_by_hand():
    # ten customers: customer i buys i times, each for 10·i yuan, last purchase i days before `at`
    rows = []
    for i in range(1, 11):
        for k in range(i):
            rows.append({"customer_id": i, "amount": 10.0 * i, "ordered_at": pd.Timestamp("2024-06-01") - pd.Timedelta(days=i + 30 * k)})
    o = pd.DataFrame(rows)
    s = rfm(o, at="2024-06-01")
    assert s["recency"].tolist() == list(range(1, 11))
    assert s["frequency"].tolist() == list(range(1, 11))
    assert s["monetary"].tolist() == [10.0 * i * i for i in range(1, 11)]
    # quintiles of 10 customers: two per score; recency is better when smaller
    assert s["F"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert s["M"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert s["R"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert s.loc[10, "rfm_code"] == "155" and s.loc[1, "rfm_code"] == "511"
    w = rfm(o, at="2024-06-01", weights=(2, 1, 0.5))
    assert w.loc[10, "rfm_score"] == pytest.approx(2 * 1 + 5 + 0.5 * 5)
    # segments: high = 4 or 5
    assert s.loc[10, "segment_zh"] == "重要保持客户" and s.loc[1, "segment_zh"] == "一般发展客户"
    assert s.loc[7, "segment"] == "retain"                 # R=2, F=4, M=4
    assert s.loc[5, "segment"] == "lost"                   # R=3, F=3, M=3: 3 is not high
    summ = rfm_summary(s)
    assert summ["n_customers"].sum() == 10


def test_rfm_fixed_bins_and_cancelled_orders():
    o = pd.DataFrame({"customer_id": [1, 2, 2, 3], "amount": [5.0, 50.0, 60.0, 500.0],
                      "status": ["paid", "paid", "paid", "cancelled"],
                      "ordered_at": pd.to_datetime(["2024-01-01", "2024-05-01", "2024-05-20", "2024-05-30"])})
    s = rfm(o, at="2024-06-01", method="fixed",
            edges={"recency": [30, 90], "frequency": [1, 2], "monetary": [10, 100]})
    assert s.index.tolist() == [1, 2]                       # the cancelled order is not a purchase
    assert s.loc[1, ["R", "F", "M"]].tolist() == [1, 1, 1]
    # right-closed bins: F = 2 lies in (1, 2] → score 2; M = 110 > 100 → 3; 12 days ≤ 30 → best R
    assert s.loc[2, ["R", "F", "M"]].tolist() == [3, 2, 3]


def test_rfm_bad_inputs():
    o = pd.DataFrame({"customer_id": [1], "amount": [5.0], "ordered_at": ["2024-01-01"]})
    with pytest.raises(DataError) as e:
        rfm(o, bins=1)
    assert e.value.field == "bins"
    with pytest.raises(DataError) as e:
        rfm(o.drop(columns="amount"))
    assert e.value.field == "amount"
    with pytest.raises(DataError) as e:
        rfm(o.assign(amount=["x"]))
    assert e.value.field == "amount" and "numeric" in e.value.reason


# ---- KAISM, efficacy, composite ---------------------------------------------------------------
def test_kaism_quadrants():
    d = pd.DataFrame({"attractiveness": [90, 80, 20, 10, 50], "strength": [85, 15, 90, 20, 50]})
    q = kaism(d, cut=50)["quadrant"].tolist()
    assert q == ["strategic", "develop", "maintain", "opportunistic", "strategic"]


def test_efficacy_coefficient_by_hand():
    d = pd.DataFrame({"profit": [10.0, 20.0, 30.0, 40.0], "late": [0.0, 10.0, 20.0, 40.0]})
    s = efficacy_scores(d, directions={"profit": 1, "late": -1})
    assert s["profit"].tolist() == pytest.approx([60, 60 + 40 / 3, 60 + 80 / 3, 100])
    assert s["late"].tolist() == pytest.approx([100, 90, 80, 60])
    s2 = efficacy_scores(d, directions={"profit": 1}, satisfactory={"profit": 30}, unacceptable={"profit": 10})
    assert s2["profit"].tolist() == pytest.approx([60, 80, 100, 100])      # clipped at the satisfactory value
    c = composite_score(s, {"profit": 0.75, "late": 0.25})
    assert c.iloc[0] == pytest.approx(0.75 * 60 + 0.25 * 100)
    with pytest.raises(DataError) as e:
        composite_score(s, {"profit": 0.5, "late": 0.4})
    assert e.value.field == "weights"
    assert index_values(d, {"profit": 20})["profit"].tolist() == [50, 100, 150, 200]


# ---- Gale and delivered value -----------------------------------------------------------------
def test_gale_value_by_hand():
    a = pd.DataFrame({"attribute": ["durability", "design", "price"], "kind": ["quality", "quality", "price"],
                      "weight": [3.0, 1.0, 1.0], "own": [9.0, 6.0, 5.0], "competitor": [6.0, 6.0, 6.0]})
    r = gale_value(a, p=0.7)
    # quality: own/competitor = 1.5, 1.0 with weights .75/.25 → 1.375; price: competitor/own = 6/5 = 1.2
    assert r["MV"] == pytest.approx(1.375) and r["CP"] == pytest.approx(1.2)
    assert r["CV"] == pytest.approx(0.7 * 1.375 + 0.3 * 1.2)
    assert r["quadrant"].startswith("superior")
    with pytest.raises(DataError) as e:
        gale_value(a.assign(kind=["quality", "quality", "cost"]))
    assert e.value.field == "kind"


def test_delivered_value_by_hand():
    d = pd.DataFrame({"product": [50.0, 10.0], "service": [10.0, 5.0], "personnel": [5.0, 0.0], "image": [5.0, 5.0],
                      "money": [40.0, 15.0], "time": [5.0, 2.0], "energy": [3.0, 2.0], "physical": [2.0, 1.0]})
    out = delivered_value(d)
    assert out["delivered_value"].tolist() == [20.0, 0.0]
    three = delivered_value(d.assign(energy_physical=[5.0, 3.0]), cost_parts=("money", "time", "energy_physical"))
    assert three["total_cost"].tolist() == [50.0, 20.0]
    with pytest.raises(DataError) as e:
        delivered_value(d.drop(columns="image"))
    assert e.value.field == "image"
