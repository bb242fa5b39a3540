"""Hand-computed cases for crmlab.mining (expected values worked out on paper, not by the code)."""
from __future__ import annotations

import doctest
import importlib
from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest

from crmlab.errors import DataError
from crmlab.mining import (association_rules, basket_items, campaign_uplift, category_shares, choose_k,
                           churn_model, confusion, cross_group, customer_features, decile_table,
                           difference_analysis, frequent_itemsets, funnel, one_hot, profile, roc_auc,
                           rule_metrics, sales_forecast, segment, weighted_pipeline)

MODULES = ["baskets", "association", "features", "evaluate", "segment", "funnel", "uplift", "classify",
           "churn", "response"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    mod = importlib.import_module(f"crmlab.mining.{name}")
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0


# ----------------------------------------------------------------------------- baskets and rules
# Five baskets, counted by hand: beer 3, diapers 3, milk 2, bread 2; beer∧diapers 2.
BASKETS = [["beer", "diapers", "milk"], ["beer", "diapers"], ["diapers", "bread"], ["beer", "bread"], ["milk"]]


def test_rules_exact_fractions():
    r = association_rules(BASKETS, min_support=0.2)
    row = r[(r.antecedent == "diapers") & (r.consequent == "beer")].iloc[0]
    assert row.support == pytest.approx(float(F(2, 5)))
    assert row.antecedent_support == pytest.approx(float(F(3, 5)))
    assert row.confidence == pytest.approx(float(F(2, 3)))
    assert row.lift == pytest.approx(float(F(10, 9)))              # (2/3) / (3/5)
    assert row.leverage == pytest.approx(float(F(1, 25)))          # 2/5 − 3/5·3/5
    assert row.conviction == pytest.approx(float(F(6, 5)))         # (1 − 3/5) / (1 − 2/3)
    milk = r[(r.antecedent == "milk") & (r.consequent == "beer")].iloc[0]
    assert milk.confidence == pytest.approx(0.5) and milk.lift == pytest.approx(float(F(5, 6)))


def test_rule_metrics_matches_hand_count_and_mined_rules():
    m = rule_metrics(BASKETS, "beer", "diapers")
    assert m.support == pytest.approx(0.4) and m.confidence == pytest.approx(float(F(2, 3)))
    assert m.lift == pytest.approx(float(F(10, 9)))
    m2 = rule_metrics(BASKETS, ["beer", "diapers"], "milk")      # 1 of the 2 beer∧diapers baskets
    assert m2.confidence == pytest.approx(0.5) and m2.lift == pytest.approx(float(F(5, 4)))


def test_min_confidence_and_sorting():
    r = association_rules(BASKETS, min_support=0.2, min_confidence=0.6)
    assert (r.confidence >= 0.6).all()
    assert list(r.lift) == sorted(r.lift, reverse=True)
    # rules with confidence ≥ 0.6 at support ≥ 0.2 by hand: beer→diapers, diapers→beer (2/3),
    # bread→beer, bread→diapers (1/2: out), milk→beer, milk→diapers (1/2: out)
    assert set(zip(r.antecedent, r.consequent)) == {("beer", "diapers"), ("diapers", "beer")}


def test_apriori_and_fpgrowth_agree():
    a = frequent_itemsets(BASKETS, 0.2, algorithm="apriori")
    b = frequent_itemsets(BASKETS, 0.2)
    key = lambda fi: sorted((tuple(sorted(s)), round(v, 12)) for s, v in zip(fi.itemsets, fi.support))
    assert key(a) == key(b)
    # by hand: 4 single items; 5 pairs seen at least once (beer+diapers, beer+milk, diapers+milk,
    # diapers+bread, beer+bread); 1 triple (beer+diapers+milk)
    assert len(b) == 4 + 5 + 1


def test_one_hot_and_basket_items():
    lines = pd.DataFrame({"order_id": [1, 1, 1, 2], "product_id": [10, 11, 12, 12]})
    products = pd.DataFrame({"product_id": [10, 11, 12], "sku": ["P10", "P11", "P12"],
                             "product_category_id": [1, 1, 2]})
    cats = pd.DataFrame({"product_category_id": [1, 2], "code": ["beer", "diapers"]})
    items = basket_items(lines, products, cats)
    assert items.values.tolist() == [[1, "beer"], [1, "diapers"], [2, "diapers"]]   # beer counted once
    oh = one_hot(items)
    assert oh.values.tolist() == [[True, True], [False, True]]
    assert basket_items(lines, products, level="product")["item"].tolist() == ["P10", "P11", "P12", "P12"]


def test_empty_baskets_count_in_the_denominator():
    r = rule_metrics([["a", "b"], [], [], ["a"]], "a", "b")
    assert r.support == pytest.approx(0.25) and r.lift == pytest.approx(2.0)   # (1/2) / (1/4)


@pytest.mark.parametrize("bad", [[], pd.DataFrame({"order_id": [], "item": []})])
def test_no_transactions(bad):
    with pytest.raises(DataError, match="no transactions"):
        association_rules(bad)


def test_bad_support_and_unknown_item():
    with pytest.raises(DataError) as e:
        association_rules(BASKETS, min_support=0)
    assert e.value.field == "min_support"
    with pytest.raises(DataError, match="does not occur"):
        rule_metrics(BASKETS, "wine", "beer")
    with pytest.raises(DataError) as e:
        frequent_itemsets(BASKETS, algorithm="eclat")
    assert e.value.field == "algorithm"
    lines = pd.DataFrame({"order_id": [], "product_id": []})
    with pytest.raises(DataError, match="no transactions"):
        basket_items(lines, pd.DataFrame({"product_id": [], "sku": []}), level="product")


# ----------------------------------------------------------------------------- evaluation measures
def test_auc_by_hand():
    # positive/negative pairs: (0.35>0.1 yes, 0.35>0.4 no, 0.8>0.1 yes, 0.8>0.4 yes) → 3/4
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert roc_auc([0, 1], [0.5, 0.5]) == pytest.approx(0.5)      # tie counts ½
    assert roc_auc([1, 0], [1.0, 0.0]) == pytest.approx(1.0)


def test_decile_table_by_hand():
    y = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0]
    s = np.arange(10, 0, -1)              # already in score order
    t = decile_table(y, s, n_bins=5)
    assert t.positives.tolist() == [2, 1, 0, 0, 0]
    assert t.lift.iloc[0] == pytest.approx(1.0 / 0.3)
    assert t.cum_gain.tolist() == pytest.approx([2 / 3, 1, 1, 1, 1])
    assert t.cum_lift.iloc[1] == pytest.approx((3 / 4) / 0.3)


def test_confusion_by_hand():
    m = confusion([0, 0, 1, 1, 1], [0.1, 0.6, 0.7, 0.2, 0.9], threshold=0.5)
    assert m.values.tolist() == [[1, 1], [1, 2]]


def test_single_class_is_a_data_error():
    with pytest.raises(DataError, match="single class"):
        roc_auc([1, 1, 1], [0.1, 0.2, 0.3])
    df = pd.DataFrame({"customer_id": range(6), "churned": [0] * 6, "recency_days": range(6),
                       "frequency": [1, 2, 3, 1, 2, 3], "tenure_days": [5, 9, 3, 8, 7, 6], "gap_ratio": [1, 2, 1, 2, 1, 3]})
    with pytest.raises(DataError, match="single class") as e:
        churn_model(df)
    assert e.value.field == "churned"


# ----------------------------------------------------------------------------- features
def test_customer_features_by_hand():
    orders = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2],
                           "ordered_at": pd.to_datetime(["2024-01-01", "2024-01-21", "2024-01-31", "2024-01-10", "2024-03-01"]),
                           "amount": [10.0, 20.0, 60.0, 5.0, 999.0],
                           "status": ["paid", "paid", "paid", "paid", "paid"]})
    f = customer_features(orders, now="2024-02-10")       # customer 2's March order is in the future
    c1, c2 = f.iloc[0], f.iloc[1]
    assert (c1.recency_days, c1.frequency, c1.monetary, c1.total_spend, c1.tenure_days) == (10, 3, 30, 90, 40)
    assert c1.gap_ratio == pytest.approx(10 / (40 / 3))
    assert (c2.recency_days, c2.frequency, c2.total_spend) == (31, 1, 5)
    with pytest.raises(DataError, match="no transactions"):
        customer_features(orders, now="2023-01-01")


def test_category_shares():
    items = pd.DataFrame({"order_id": [1, 2, 2, 3], "item": ["a", "a", "b", "b"]})
    orders = pd.DataFrame({"order_id": [1, 2, 3], "customer_id": [1, 1, 2]})
    s = category_shares(items, orders).set_index("customer_id")
    assert s.loc[1].tolist() == [1.0, 0.5] and s.loc[2].tolist() == [0.0, 1.0]


# ----------------------------------------------------------------------------- segmentation
def _blobs(n=300, seed=3):
    rng = np.random.default_rng(seed)
    centers = np.array([[1, 50], [10, 400], [30, 2000]], dtype=float)
    lab = np.repeat([0, 1, 2], n // 3)
    X = centers[lab] * np.exp(rng.normal(0, 0.15, (len(lab), 2)))
    return pd.DataFrame({"customer_id": np.arange(len(lab)), "frequency": X[:, 0], "monetary": X[:, 1]}), lab


@pytest.mark.parametrize("method", ["kmeans", "gmm", "hierarchical"])
def test_segment_recovers_blobs(method):
    from sklearn.metrics import adjusted_rand_score

    df, truth = _blobs()
    s = segment(df, ["frequency", "monetary"], k=3, method=method)
    assert adjusted_rand_score(truth, s.labels) == pytest.approx(1.0)
    assert s.labels.tolist()[:3] == [0, 0, 0]            # ordered by the first feature's mean


def test_choose_k_peaks_at_the_planted_k():
    df, _ = _blobs()
    ks = choose_k(df, ["frequency", "monetary"], range(2, 7))
    assert int(ks.loc[ks.silhouette.idxmax(), "k"]) == 3
    assert ks.inertia.is_monotonic_decreasing


def test_segment_bad_k():
    df, _ = _blobs(9)
    with pytest.raises(DataError, match="only 9 customers") as e:
        segment(df, ["frequency"], k=10)
    assert e.value.field == "k"
    with pytest.raises(DataError):
        segment(df, ["nope"], k=2)
    with pytest.raises(DataError, match="no customers"):
        segment(df.iloc[:0], ["frequency"], k=2)


def test_profile_by_hand():
    df = pd.DataFrame({"segment": [0, 0, 1, 1, 1], "spend": [10.0, 30.0, 100.0, 200.0, 300.0]})
    p = profile(df, ["spend"])
    assert p.n.tolist() == [2, 3] and p.share.tolist() == [0.4, 0.6] and p.spend.tolist() == [20.0, 200.0]


def test_cross_group_finds_lookalike_twins():
    df = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5, 6],
                       "age": [30, 30, 55, 55, 42, 41], "income": [8000, 8050, 3000, 3000, 5000, 5100],
                       "segment": [0, 1, 0, 0, 1, 1], "total_spend": [100.0, 1200.0, 50.0, 60.0, 500.0, 520.0]})
    x = cross_group(df, ["age", "income"])
    assert x[["customer_id", "twin_id"]].values.tolist()[0] == [1, 2]
    assert (x.value_ratio >= 2).all() and 3 not in set(x.customer_id)


def test_difference_analysis_by_hand():
    d = pd.to_datetime
    orders = pd.DataFrame({
        "customer_id": [1, 1, 2, 2, 3, 4, 4],
        "ordered_at": d(["2024-02-01", "2024-08-01", "2024-02-01", "2024-08-01", "2024-09-01", "2024-02-01", "2024-09-01"]),
        "amount": [100.0, 300.0, 1000.0, 100.0, 900.0, 200.0, 200.0]})
    r = difference_analysis(orders, now="2024-10-01", window_days=180).set_index("customer_id")["kind"]
    # 1: 100 → 300 growth; 2: 1000 → 100 (above-median before, −90%) problem; 3: new, high order value
    assert r.to_dict() == {1: "growth", 2: "problem", 3: "potential", 4: "stable"}


# ----------------------------------------------------------------------------- funnel
STAGES = pd.DataFrame({"stage_id": [1, 2, 3, 4, 5, 6], "code": ["outside", "top", "middle", "bottom", "contract", "lost"],
                       "seq": [1, 2, 3, 4, 5, 6], "probability": [5, 20, 40, 70, 100, 0],
                       "is_won": [0, 0, 0, 0, 1, 0], "is_lost": [0, 0, 0, 0, 0, 1]})


def _path(oid, stops, lost=False):
    rows, prev = [], None
    for s in stops + ([6] if lost else []):
        rows.append({"opportunity_id": oid, "from_stage_id": prev, "to_stage_id": s})
        prev = s
    return rows


def test_funnel_by_hand():
    hist = pd.DataFrame(_path(1, [1, 2, 3, 4, 5]) + _path(2, [1, 2, 3], lost=True) + _path(3, [1, 2])
                        + _path(4, [1], lost=True) + _path(5, [1, 2, 4, 5]))   # 5 skips middle
    opps = pd.DataFrame({"opportunity_id": [1, 2, 3, 4, 5], "stage_id": [5, 6, 2, 6, 5],
                         "status": ["won", "lost", "open", "lost", "won"], "amount": [100.0, 50.0, 1000.0, 10.0, 80.0],
                         "probability": [None, None, None, None, None]})
    f = funnel(hist, STAGES, opps).set_index("code")
    assert f.reached.tolist() == [5, 4, 3, 2, 2]
    # outside: all 5 decided, 4 advanced; top: 4 reached, 1 still open there → 3 decided, 3 advanced
    assert f.loc["outside", "conversion"] == pytest.approx(4 / 5)
    assert f.loc["top", "conversion"] == pytest.approx(3 / 3)
    assert f.loc["middle", "conversion"] == pytest.approx(2 / 3)
    assert f.loc["bottom", "conversion"] == pytest.approx(1.0)
    wp = weighted_pipeline(opps, STAGES)
    assert wp.values.tolist() == [["top", 1, 1000.0, 0.2, 200.0]]
    fc = sales_forecast(opps, STAGES, f.reset_index())
    assert fc.expected.iloc[0] == pytest.approx(1000 * 1 * (2 / 3) * 1)
    with pytest.raises(DataError, match="no stage moves"):
        funnel(hist.iloc[:0], STAGES)


# ----------------------------------------------------------------------------- uplift
def test_uplift_ci_revenue_roi_by_hand():
    members = pd.DataFrame({"campaign_id": [7] * 8, "group": ["treatment"] * 4 + ["control"] * 4,
                            "responded": [1, 1, 0, 0, 1, 0, 0, 0],
                            "response_order_id": [11, 12, None, None, 13, None, None, None]})
    orders = pd.DataFrame({"order_id": [11, 12, 13], "amount": [300.0, 100.0, 80.0]})
    camps = pd.DataFrame({"campaign_id": [7], "code": ["C7"], "actual_cost": [0.0], "cost_per_contact": [10.0]})
    u = campaign_uplift(members, orders, camps).iloc[0]
    se = np.sqrt(0.5 * 0.5 / 4 + 0.25 * 0.75 / 4)
    assert u.uplift == pytest.approx(0.25)
    assert u.ci_low == pytest.approx(0.25 - 1.959963984540054 * se)
    assert u.ci_high == pytest.approx(0.25 + 1.959963984540054 * se)
    assert u.revenue_per_treated == pytest.approx(100.0) and u.revenue_per_control == pytest.approx(20.0)
    assert u.incremental_revenue == pytest.approx(320.0)              # (100 − 20) × 4
    assert u.cost == pytest.approx(40.0)                              # 10 × 4 contacted
    assert u.roi == pytest.approx((320 - 40) / 40)
    assert u.roi_gross == pytest.approx((400 - 40) / 40)


def test_uplift_needs_both_groups():
    members = pd.DataFrame({"campaign_id": [1, 1], "group": ["treatment"] * 2, "responded": [0, 1]})
    with pytest.raises(DataError, match="control"):
        campaign_uplift(members)
