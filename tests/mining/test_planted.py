"""crmlab.mining recovers what the simulator planted (one 2,000-customer database per module)."""
from __future__ import annotations

import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

import crmlab
from crmlab.mining import (association_rules, basket_items, behaviour_features, campaign_uplift, choose_k,
                           churn_frames, churn_model, funnel, response_frames, response_model, segment,
                           weighted_pipeline)


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('mining') / 'crm.db'}"
    db = crmlab.simulate(2000, seed=0, url=url)
    cache = {}

    def table(name):
        if name not in cache:
            cache[name] = crmlab.read_table(db, name)
        return cache[name]

    return db, crmlab.truth(db), table


@pytest.fixture(scope="module")
def items(sim):
    _, _, t = sim
    return basket_items(t("order_lines"), t("products"), t("product_categories"))


def test_planted_pairs_top_the_rules_with_their_lift(sim, items):
    _, truth, _ = sim
    pairs = truth.params["baskets"]["pairs"]
    rules = association_rules(items, min_support=0.005)
    top = set(zip(rules.antecedent.head(2 * len(pairs)), rules.consequent.head(2 * len(pairs))))
    for p in pairs:
        a, c = p["antecedent"], p["consequent"]
        assert {(a, c), (c, a)} <= top, f"{a} → {c} is not among the top rules by lift"
        row = rules[(rules.antecedent == a) & (rules.consequent == c)].iloc[0]
        assert row.lift == pytest.approx(p["lift"], rel=0.10)
        assert row.confidence == pytest.approx(p["confidence"], rel=0.10)
        assert row.support == pytest.approx(p["support"], rel=0.15)
    assert any(p["antecedent"] == "diapers" and p["consequent"] == "beer" for p in pairs)


def test_apriori_gives_the_same_rules(items):
    a = association_rules(items, min_support=0.02, algorithm="apriori")
    f = association_rules(items, min_support=0.02)
    cols = ["antecedent", "consequent", "support", "confidence", "lift"]
    pd.testing.assert_frame_equal(a[cols], f[cols])


@pytest.fixture(scope="module")
def behaviour(sim):
    _, _, t = sim
    dept = basket_items(t("order_lines"), t("products"), t("product_categories"), label="department")
    f = behaviour_features(t("orders"), dept)
    return f, [c for c in f if c.startswith(("share_", "channel_", "hour_"))]


def test_segments_recovered(sim, behaviour):
    _, truth, _ = sim
    f, feats = behaviour
    planted = truth.customers.set_index("customer_id").loc[f.customer_id, "segment"]
    for method in ("kmeans", "gmm"):
        s = segment(f, feats, k=4, method=method)
        assert adjusted_rand_score(planted, s.labels) >= 0.8, method


def test_silhouette_picks_the_planted_number_of_segments(sim, behaviour):
    _, truth, _ = sim
    f, feats = behaviour
    ks = choose_k(f, feats, range(2, 8))
    assert int(ks.loc[ks.silhouette.idxmax(), "k"]) == len(truth.params["segments"]["names"])


def test_churn_model_beats_recency_on_planted_and_observed_churn(sim):
    _, truth, t = sim
    pp = truth.params["purchase"]
    train, test = churn_frames(t("orders"), t("holdout_orders"), now=pp["observation_end"], holdout_end=pp["holdout_end"])
    observed = churn_model(train, test)
    assert observed.auc["logit"] > observed.auc["baseline"] > 0.6
    alive = truth.customers.set_index("customer_id").loc[test.customer_id, "alive_at_end"].to_numpy()
    planted = churn_model(train, test.assign(churned=(alive == 0).astype(int)))
    assert planted.auc["logit"] > planted.auc["baseline"] + 0.03
    assert planted.auc["tree"] > planted.auc["baseline"]
    orr = planted.odds_ratios.set_index("feature")
    assert orr.loc["recency_days", "odds_ratio"] > 1          # longer silence → likelier churn
    assert observed.confusion(0.5).to_numpy().sum() == len(test)
    assert observed.deciles().cum_gain.iloc[-1] == pytest.approx(1.0)


def test_response_model_scores_the_latest_campaign(sim):
    _, _, t = sim
    train, test = response_frames(t("campaign_members"), t("campaigns"), t("orders"))
    assert test.campaign_id.nunique() == 1 and test.campaign_id.iloc[0] not in set(train.campaign_id)
    r = response_model(train, test)
    assert r.auc["logit"] > 0.6


def test_funnel_conversion_recovered_within_3_points(sim):
    _, truth, t = sim
    f = funnel(t("opportunity_stage_history"), t("pipeline_stages"), t("opportunities")).set_index("code")
    for step, rate in truth.params["funnel"]["conversion"].items():
        frm = step.split("->")[0]
        assert f.loc[frm, "conversion"] == pytest.approx(rate, abs=0.03), step
    wp = weighted_pipeline(t("opportunities"), t("pipeline_stages"))
    assert wp.n_open.sum() == (t("opportunities").status == "open").sum()


def test_planted_uplift_inside_the_confidence_interval(sim):
    _, truth, t = sim
    u = campaign_uplift(t("campaign_members"), t("orders"), t("campaigns"))
    planted = truth.params["campaigns"]
    assert set(u.code) == set(planted)
    for _, row in u.iterrows():
        assert row.ci_low <= planted[row.code]["uplift"] <= row.ci_high, row.code
        assert row.cost > 0 and row.roi == pytest.approx((row.incremental_revenue - row.cost) / row.cost)


def test_mining_reads_both_engines(engine_url):
    db = crmlab.simulate(300, seed=3, url=engine_url)
    t = lambda n: crmlab.read_table(db, n)
    items = basket_items(t("order_lines"), t("products"), t("product_categories"))
    rules = association_rules(items, min_support=0.01)
    assert len(rules) > 0 and (rules.lift > 0).all()
    f = funnel(t("opportunity_stage_history"), t("pipeline_stages"), t("opportunities"))
    assert f.reached.iloc[0] == len(t("opportunities"))
