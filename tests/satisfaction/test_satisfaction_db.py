"""M4 on a full default simulation (2,000 customers, one database for the module)."""
from __future__ import annotations

import numpy as np
import pytest

import crmlab
from crmlab import satisfaction as S


@pytest.fixture(scope="module")
def sim():
    db = crmlab.simulate(n_customers=2000, seed=11, url="sqlite://")
    return db, crmlab.truth(db)


def test_sem_recovered_on_default_simulation(sim):
    db, truth = sim
    wide = S.survey_wide(db, "csi")
    assert len(wide) == 1500
    res = S.satisfaction_index(wide, model="full")
    cmp = S.compare_with_truth(res, truth.params["survey"]["csi"]["paths"])
    assert (cmp["error"].abs() <= 0.1).all(), cmp


def test_loyalty_items_track_repeat_purchase(sim):
    db, truth = sim
    scores = S.satisfaction_index(S.survey_wide(db, "csi"), model="ccsi").scores
    m = S.loyalty_measures(crmlab.read_table(db, "orders"))
    d = scores.merge(m, on="customer_id", how="left").fillna({"repeat_purchases": 0})
    # planted: LOY carries attitudinal loyalty, which lowers dropout → more repeat purchases
    assert np.corrcoef(d["LOY"], d["repeat_purchases"])[0, 1] > 0.1


def test_price_sensitivity_measure_tracks_planted(sim):
    db, truth = sim
    m = S.loyalty_measures(crmlab.read_table(db, "orders"))
    m = m[m["n_orders"] >= 4].merge(truth.customers[["customer_id", "price_sensitivity"]], on="customer_id")
    assert np.corrcoef(m["discount_share"], m["price_sensitivity"])[0, 1] > 0.2


def test_churn_labels_against_planted_types(sim):
    db, truth = sim
    orders = crmlab.read_table(db, "orders")
    now = truth.params["purchase"]["observation_end"]
    m = S.loyalty_measures(orders, crmlab.read_table(db, "tickets"), now=now)
    labels = S.label_churn_type(m, orders, now=now)
    table, acc = S.churn_type_agreement(labels, truth.customers)
    assert table.to_numpy().sum() > 100 and 0 <= acc <= 1
    # customers labelled churned are far less often still alive (planted) than the others
    alive = truth.customers.set_index("customer_id")["alive_at_end"]
    churned = alive.loc[labels.loc[labels["churned"], "customer_id"]].mean()
    kept = alive.loc[labels.loc[~labels["churned"], "customer_id"]].mean()
    assert churned < kept - 0.25, (churned, kept)          # about 0.3 against 0.7
