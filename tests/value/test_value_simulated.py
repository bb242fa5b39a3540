"""crmlab.value on the simulated CRM database: planted truths, the hold-out future, exact identities."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmlab
from crmlab.value import (fit_bgnbd, fit_gamma_gamma, holdout_from_orders, kpi_tree, lifecycle_stage,
                          payment_behaviour, predictive_clv, pyramid, pyramid_summary, rfm, score_predictions,
                          stage_agreement, summary_data_from_orders)


@pytest.fixture(scope="module")
def sim():
    db = crmlab.simulate(n_customers=2000, seed=11, url="sqlite://")
    truth = crmlab.truth(db)
    return {"db": db, "truth": truth, "orders": crmlab.read_table(db, "orders"),
            "holdout": crmlab.read_table(db, "holdout_orders"), "customers": crmlab.read_table(db, "customers")}


def test_kpi_identity_exact_to_the_cent(sim):
    o = sim["orders"]
    tree = kpi_tree(o)["value"]
    product = tree["buyers"] * tree["orders_per_buyer"] * tree["items_per_order"] * tree["avg_item_price"]
    assert round(product, 2) == round(tree["sales"], 2)
    assert round(tree["sales_per_buyer"] * tree["buyers"], 2) == round(tree["sales"], 2)
    # independent: sum the paid amounts in integer cents
    paid = o[o["status"].isin(["paid", "shipped", "delivered"])]
    cents = int(np.round(paid["amount"].to_numpy() * 100).astype(np.int64).sum())
    assert round(tree["sales"] * 100) == cents
    assert tree["buyers"] == paid["customer_id"].nunique()
    assert tree["unpaid_orders"] == int((o["status"] == "placed").sum())


def test_summary_matches_planted_purchase_counts(sim):
    p = sim["truth"].params["purchase"]
    o = sim["orders"]
    s = summary_data_from_orders(o, observation_end=p["observation_end"], same_day=False)
    purchases = o[o["status"].isin(p["purchase_statuses"])]
    assert int((s["frequency"] + 1).sum()) == len(purchases)
    assert (s["T"] >= s["recency"]).all() and (s["T"] <= 105).all()


def test_holdout_scoring_per_customer_and_decile(sim):
    p = sim["truth"].params["purchase"]
    s = summary_data_from_orders(sim["orders"], observation_end=p["observation_end"])
    fit = fit_bgnbd(s)
    horizon = (pd.Timestamp(p["holdout_end"]) - pd.Timestamp(p["observation_end"])).days / 7
    pred = predictive_clv(fit, fit_gamma_gamma(s), s, horizon=horizon, period=horizon)
    actual = holdout_from_orders(sim["holdout"], s.index, start=p["observation_end"], end=p["holdout_end"])
    scored = score_predictions(pred, actual)
    m = scored["metrics"]
    assert m["total_predicted"] == pytest.approx(m["total_actual"], rel=0.15)
    assert m["correlation"] > 0.5
    d = scored["deciles"]
    assert d["actual"].iloc[0] > d["actual"].iloc[-1]
    assert d["n_customers"].sum() == len(s)
    # spend: predicted value over the hold-out (margin 1, no discount) vs actual paid amount
    assert m["total_predicted_spend"] == pytest.approx(m["total_actual_spend"], rel=0.2)
    sd = scored["spend_deciles"]
    assert sd["actual"].iloc[0] > 3 * sd["actual"].iloc[5:].mean()
    # independent: actual hold-out spend of purchase orders summed directly
    h = sim["holdout"]
    h = h[h["status"].isin(p["purchase_statuses"]) & h["customer_id"].isin(s.index)]
    assert m["total_actual_spend"] == pytest.approx(h["amount"].sum())


def test_lifecycle_agreement_with_planted_stage(sim):
    p = sim["truth"].params["purchase"]
    s = summary_data_from_orders(sim["orders"], observation_end=p["observation_end"])
    everyone = s.reindex(sim["customers"]["customer_id"], fill_value=0)      # prospects: no purchase, T = 0
    stages = lifecycle_stage(everyone)
    truth = sim["truth"].customers.set_index("customer_id")["stage"]
    ag = stage_agreement(stages, truth)
    assert ag["n_customers"] == len(sim["customers"])
    assert ag["agreement"] > 0.6                                                # far above chance (0.2)
    four = stage_agreement(lifecycle_stage(everyone, model="four"),
                           truth.replace({"termination": "decline"}))
    assert four["agreement"] >= ag["agreement"] - 0.05


def test_pyramid_and_rfm_on_simulated_profit(sim):
    o = sim["orders"]
    o = o[o["status"].isin(["paid", "shipped", "delivered"])].assign(profit=lambda d: d["amount"] - d["cost"])
    g = pyramid(o, value="profit")
    n = g.shape[0]
    counts = pyramid_summary(g)["n_customers"].tolist()
    assert sum(counts) == n and counts[0] == int(np.floor(0.01 * n + 0.5))
    s = rfm(o)
    assert s.shape[0] == o["customer_id"].nunique()
    assert s[["R", "F", "M"]].min().min() == 1 and s[["R", "F", "M"]].max().max() == 5


def test_payment_behaviour_reads_due_and_paid(sim):
    pb = payment_behaviour(sim["orders"])
    assert (pb["late_share"].between(0, 1)).all() and (pb["days_late"] >= 0).all()


@pytest.mark.slow
def test_recovers_planted_bgnbd_parameters_at_10000_customers():
    db = crmlab.simulate(n_customers=10000, seed=3, url="sqlite://")
    truth = crmlab.truth(db).params
    s = summary_data_from_orders(crmlab.read_table(db, "orders"), observation_end=truth["purchase"]["observation_end"])
    fit = fit_bgnbd(s)
    assert truth["purchase"]["time_unit"] == "week"
    for k in ("r", "alpha", "a", "b"):
        assert fit.params[k] == pytest.approx(truth["purchase"][k], rel=0.15), k
    gg = fit_gamma_gamma(s)
    sp = truth["spend"]
    assert gg.population_mean_spend == pytest.approx(sp["p"] * sp["gamma"] / (sp["q"] - 1), rel=0.05)
