"""Hand-computed examples and bad input for CSD, ACSI index, SERVQUAL, Kano, NPS, loyalty, regression.

Every expected number here is worked out by hand in the comment next to it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab import satisfaction as S
from crmlab.errors import DataError


# ------------------------------------------------------------------ CSD
def test_csd_weighted_sum():
    # 0.5·80 + 0.3·60 + 0.2·90 = 40 + 18 + 18 = 76
    assert S.csd({"quality": 80, "service": 60, "value": 90},
                 {"quality": 0.5, "service": 0.3, "value": 0.2}) == pytest.approx(76.0)
    # weights are normalised: 5/3/2 gives the same
    assert S.csd({"quality": 80, "service": 60, "value": 90},
                 {"quality": 5, "service": 3, "value": 2}) == pytest.approx(76.0)


def test_csd_per_respondent():
    d = pd.DataFrame({"a": [10.0, 0.0], "b": [0.0, 10.0]})
    # row 1: 0.25·10 = 2.5; row 2: 0.75·10 = 7.5
    assert S.csd(d, {"a": 1, "b": 3}).tolist() == [2.5, 7.5]


def test_csd_bad_weights():
    with pytest.raises(DataError) as e:
        S.csd({"a": 1, "b": 2}, {"a": 1})
    assert e.value.field == "b"
    with pytest.raises(DataError) as e:
        S.csd({"a": 1}, {"a": -1})
    assert e.value.field == "a"


def test_expectation_performance_levels():
    lv = S.satisfaction_level([5, 5, 5, 5], [3, 5.4, 5.6, 8], tolerance=0.5)
    assert lv.tolist() == ["dissatisfied", "satisfied", "delighted", "delighted"]
    assert S.satisfaction_level([5], [3], lang="zh").tolist() == ["不满意"]


# ------------------------------------------------------------------ ACSI index
def test_acsi_index_hand_example():
    d = pd.DataFrame({"sat1": [10, 10], "sat2": [1, 1], "sat3": [4, 7]})
    # item means 10, 1, 5.5; equal weights → 5.5; (5.5 − 1)/9·100 = 50
    assert S.acsi_index(d) == pytest.approx(50.0)
    # weights 2:1:1 → (20 + 1 + 5.5)/4 = 6.625 → 5.625/9·100 = 62.5
    assert S.acsi_index(d, weights={"sat1": 2, "sat2": 1, "sat3": 1}) == pytest.approx(62.5)


def test_csi_bad_input_names_item():
    d = pd.DataFrame({"sat1": [10, 3], "sat2": [11, 5], "sat3": [4, 7]})
    with pytest.raises(DataError) as e:
        S.acsi_index(d)
    assert e.value.field == "sat2" and "outside the scale 1-10" in e.value.reason
    with pytest.raises(DataError) as e:
        S.acsi_index(d.drop(columns="sat3").assign(sat2=5))
    assert e.value.field == "sat3" and "missing" in e.value.reason
    with pytest.raises(DataError) as e:
        S.acsi_index(d.assign(sat2=[5, np.nan]))
    assert e.value.field == "sat2" and "missing" in e.value.reason


def test_sem_bad_input(fake_survey):
    wide = S.survey_wide(fake_survey.tables, "csi")
    with pytest.raises(DataError) as e:
        S.satisfaction_index(wide.drop(columns=["pq2", "pq3"]), model="acsi")
    assert e.value.field == "PQ" and "at least two items" in e.value.reason
    items = {v: [f"{v.lower()}{i}" for i in (1, 2, 3)] for v in ("EXP", "PQ", "PV", "SAT", "CMP", "LOY")}
    with pytest.raises(DataError) as e:
        S.satisfaction_index(wide.drop(columns="pq2"), model="acsi", items=items)
    assert e.value.field == "pq2" and "missing" in e.value.reason
    bad = wide.copy()
    bad.iloc[3, bad.columns.get_loc("loy1")] = 0
    with pytest.raises(DataError) as e:
        S.satisfaction_index(bad, model="acsi")
    assert e.value.field == "loy1"
    with pytest.raises(DataError) as e:
        S.satisfaction_index(wide, model="ecsi")
    assert e.value.field == "model"


def test_model_structures():
    # SCSB has no PQ, CCSI has no CMP, ACSI has both PQ and CMP but no IMG
    nodes = lambda m: set(S.MODELS[m]) | {p for ps in S.MODELS[m].values() for p in ps}
    assert nodes("scsb") == {"EXP", "PV", "SAT", "CMP", "LOY"}
    assert nodes("acsi") == {"EXP", "PQ", "PV", "SAT", "CMP", "LOY"}
    assert nodes("ccsi") == {"IMG", "EXP", "PQ", "PV", "SAT", "LOY"}


# ------------------------------------------------------------------ SERVQUAL
def _sq(rows):
    return pd.DataFrame(rows, columns=["response_id", "item", "dimension", "facet", "value"])


def test_servqual_hand_example():
    rows = []
    # reliability item rel1: E = (7, 6) → 6.5, P = (5, 4) → 4.5, gap −2
    # tangibles item tan1: E = (5, 5), P = (6, 5) → gap +0.5; item tan2: E 4, P 4 → gap 0 → dim gap 0.25
    for rid, e, p in ((1, 7, 5), (2, 6, 4)):
        rows += [(rid, "rel1_e", "reliability", "expectation", e), (rid, "rel1_p", "reliability", "perception", p)]
    for rid, e, p in ((1, 5, 6), (2, 5, 5)):
        rows += [(rid, "tan1_e", "tangibles", "expectation", e), (rid, "tan1_p", "tangibles", "perception", p)]
        rows += [(rid, "tan2_e", "tangibles", "expectation", 4), (rid, "tan2_p", "tangibles", "perception", 4)]
    d = _sq(rows)
    g = S.servqual_gaps(d).set_index("dimension")
    assert g.loc["reliability", "gap"] == pytest.approx(-2.0)
    assert g.loc["tangibles", "gap"] == pytest.approx(0.25)
    assert g.loc["reliability", "dimension_zh"] == "可靠性"
    # unweighted: (−2 + 0.25)/2 = −0.875; weighted 0.8/0.2: −1.6 + 0.05 = −1.55
    sc = S.servqual_score(d, weights={"reliability": 0.8, "tangibles": 0.2})
    assert sc["unweighted"] == pytest.approx(-0.875)
    assert sc["weighted"] == pytest.approx(-1.55)
    items = S.servqual_item_gaps(d).set_index("item")
    assert items.loc["tan2", "gap"] == 0 and items.loc["rel1", "E"] == 6.5


def test_servqual_bad_input():
    d = _sq([(1, "rel1_e", "reliability", "expectation", 8), (1, "rel1_p", "reliability", "perception", 5)])
    with pytest.raises(DataError) as e:
        S.servqual_gaps(d)
    assert e.value.field == "rel1_e" and "outside the scale 1-7" in e.value.reason
    d = _sq([(1, "rel1_e", "reliability", "expectation", 6)])
    with pytest.raises(DataError) as e:
        S.servqual_gaps(d)
    assert e.value.field == "rel1" and "only expectation" in e.value.reason


# ------------------------------------------------------------------ Kano
TABLE = {  # Berger et al. 1993 (WORKED-EXAMPLES B), typed in independently: row functional, column dysfunctional
    1: "QAAAO", 2: "RIIIM", 3: "RIIIM", 4: "RIIIM", 5: "RRRRQ",
}


def test_kano_evaluation_table_all_cells():
    f, d = np.meshgrid(np.arange(1, 6), np.arange(1, 6), indexing="ij")
    got = S.kano_category(f.ravel(), d.ravel()).to_numpy().reshape(5, 5)
    for row in range(5):
        assert "".join(got[row]) == TABLE[row + 1]


def test_kano_words_accepted():
    assert S.kano_category(["like", "喜欢"], ["dislike", "理应如此"]).tolist() == ["O", "A"]


def test_kano_table_better_worse_hand_example():
    pairs = [(1, 3)] * 3 + [(1, 5)] * 2 + [(3, 5)] + [(3, 3)] + [(5, 1)] + [(1, 1)]
    d = pd.DataFrame({"response_id": range(len(pairs)), "feature": "f1",
                      "functional": [p[0] for p in pairs], "dysfunctional": [p[1] for p in pairs]})
    t = S.kano_table(d).set_index("feature").loc["f1"]
    # counts A3 O2 M1 I1 R1 Q1 → Better = 5/7, Worse = −3/7, modal category A
    assert (t["A"], t["O"], t["M"], t["I"], t["R"], t["Q"]) == (3, 2, 1, 1, 1, 1)
    assert t["better"] == pytest.approx(5 / 7) and t["worse"] == pytest.approx(-3 / 7)
    assert t["category"] == "A" and t["category_zh"] == "迷人质量"
    assert S.better_worse({"A": 3, "O": 2, "M": 1, "I": 1}) == {"better": pytest.approx(5 / 7),
                                                                 "worse": pytest.approx(-3 / 7)}
    tab = S.answer_table(d, "f1")
    assert tab.loc["like", "neutral"] == 3 and tab.to_numpy().sum() == 9


def test_kano_bad_answer_names_feature():
    d = pd.DataFrame({"feature": ["next_day", "points"], "functional": [1, 6], "dysfunctional": [3, 3]})
    with pytest.raises(DataError) as e:
        S.kano_classify(d)
    assert "points" in e.value.field and "functional" in e.value.field
    assert "not one of the five" in e.value.reason
    d = pd.DataFrame({"feature": ["ar"], "functional": [1], "dysfunctional": ["maybe"]})
    with pytest.raises(DataError) as e:
        S.kano_classify(d)
    assert e.value.field == "ar (dysfunctional)" and "'maybe'" in e.value.reason


# ------------------------------------------------------------------ NPS
def test_nps_hand_example():
    r = S.nps([0, 6, 7, 8, 9, 10, 10, 10, 5, 9])
    # promoters 9,10,10,10,9 = 5; detractors 0,6,5 = 3; passives 2 → NPS = 100·(5 − 3)/10 = 20
    assert (r["promoters"], r["passives"], r["detractors"]) == (0.5, pytest.approx(0.2), 0.3)
    assert r["nps"] == pytest.approx(20.0)
    assert S.nps_group([9, 7, 6]).tolist() == ["promoter", "passive", "detractor"]


@pytest.mark.parametrize("bad", [[11], [-1], [7.5], [np.nan]])
def test_nps_bad_input(bad):
    with pytest.raises(DataError) as e:
        S.nps(bad)
    assert e.value.field == "recommend"


# ------------------------------------------------------------------ loyalty
def test_loyalty_quadrant_defaults_to_medians():
    d = pd.DataFrame({"attitude": [2.0, 1.5, -1.0, -2.0, 0.0], "repeat_purchases": [9, 0, 8, 0, 1]})
    q = S.loyalty_quadrant(d)         # medians: attitude 0, repeat 1; "high" is strictly above
    assert q["quadrant"].tolist() == ["loyal", "latent", "spurious", "none", "none"]
    assert q["quadrant_zh"].tolist()[:4] == ["忠诚", "潜在忠诚", "虚伪忠诚", "不忠诚"]
    s = S.quadrant_shares(q).set_index("quadrant")
    assert s.loc["none", "customers"] == 2 and s["share"].sum() == pytest.approx(1.0)


def test_loyalty_measures_hand_example():
    o = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2], "status": ["paid", "delivered", "paid", "paid", "cancelled"],
                      "ordered_at": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-31", "2024-01-05", "2024-01-06"]),
                      "amount": [100.0, 50, 50, 80, 999], "discount": [0.0, 5, 0, 8, 0]})
    tk = pd.DataFrame({"customer_id": [1, 2], "kind": ["complaint", "complaint"],
                       "opened_at": pd.to_datetime(["2024-01-20", "2024-01-10"])})
    m = S.loyalty_measures(o, tk, now="2024-02-10").set_index("customer_id")
    # customer 1: 3 purchases over 30 days → 15 days between; 1 of 3 discounted; spend 200
    assert m.loc[1, "repeat_purchases"] == 2 and m.loc[1, "days_between"] == pytest.approx(15.0)
    assert m.loc[1, "discount_share"] == pytest.approx(1 / 3) and m.loc[1, "spend"] == 200
    assert m.loc[1, "recency_days"] == pytest.approx(10.0)
    # customer 1 bought after the complaint, customer 2 did not (the cancelled order is no purchase)
    assert m.loc[1, "bought_after_complaint"] == 1 and m.loc[2, "bought_after_complaint"] == 0
    assert m.loc[2, "n_orders"] == 1 and np.isnan(m.loc[2, "days_between"])


def test_retention_rate_hand_example():
    o = pd.DataFrame({"customer_id": [1, 2, 3, 1, 2, 4, 1], "status": "paid",
                      "ordered_at": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-03-01",
                                                    "2024-04-02", "2024-05-02", "2024-06-01", "2024-08-01"])})
    r = S.retention_rate(o, period="Q").set_index("period")
    # Q1 {1,2,3} → Q2 {1,2,4}: 2 of 3 kept; Q2 → Q3 {1}: 1 of 3 kept
    assert r.loc["2024Q2", "retention_rate"] == pytest.approx(2 / 3)
    assert r.loc["2024Q3", "retention_rate"] == pytest.approx(1 / 3)
    assert r.loc["2024Q3", "churn_rate"] == pytest.approx(2 / 3)
    c = S.cohort_retention(o, period="Q")
    # cohort 2024Q1 (customers 1,2,3): period 1 → 1 and 2 buy again = 2/3; period 2 → only 1 = 1/3
    assert c.loc["2024Q1", 1] == pytest.approx(2 / 3) and c.loc["2024Q1", 2] == pytest.approx(1 / 3)
    assert S.cohort_retention(o, period="Q", churn=True).loc["2024Q1", 2] == pytest.approx(2 / 3)


def test_churn_labels_rules():
    m = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5], "recency_days": [400, 400, 400, 400, 10],
                      "discount_share": [0.9, 0.9, 0.9, 0.0, 0.0],
                      "bought_after_complaint": [np.nan, 0.0, np.nan, np.nan, np.nan]})
    o = pd.DataFrame({"customer_id": [1], "status": ["placed"], "ordered_at": pd.to_datetime(["2023-01-01"]),
                      "due_at": pd.to_datetime(["2023-01-02"])})
    lab = S.label_churn_type(m, o, now="2024-06-01").set_index("customer_id")["churn_type"]
    assert lab.tolist()[:4] == ["malicious", "negligent", "competitive", "natural"]
    assert pd.isna(lab.iloc[4])                      # not churned: no type
    truth = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5],
                          "churn_type": ["malicious", "natural", "competitive", "natural", None]})
    table, acc = S.churn_type_agreement(lab.reset_index(), truth)
    assert acc == pytest.approx(3 / 4) and table.loc["natural", "negligent"] == 1


# ------------------------------------------------------------------ regression
def test_regression_recovers_planted_slope():
    rng = np.random.default_rng(3)
    sat = rng.normal(60, 10, 5000)
    d = pd.DataFrame({"SAT": sat, "LOY": 10 + 0.8 * sat + rng.normal(0, 5, 5000)})
    ols = S.satisfaction_loyalty_ols(d)
    assert abs(ols.params["SAT"] - 0.8) < 3 * ols.bse["SAT"] + 1e-9
    p = 1 / (1 + np.exp(-(-3 + 0.05 * sat)))
    d["rebuy"] = (rng.random(5000) < p).astype(int)
    lg = S.satisfaction_repurchase_logit(d, "rebuy")
    assert abs(lg.params["SAT"] - 0.05) < 4 * lg.bse["SAT"]
    with pytest.raises(DataError) as e:
        S.satisfaction_repurchase_logit(d.assign(rebuy=2), "rebuy")
    assert e.value.field == "rebuy"
