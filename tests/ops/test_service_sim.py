"""The simulator's service domain: planted SLA breaches, root causes, return visits, rules."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmlab
from crmlab.simulate import service


@pytest.fixture(scope="module")
def sim():
    db = crmlab.simulate(n_customers=3000, seed=11, url="sqlite://")
    return db, crmlab.truth(db).params["service"]


def test_planted_parameters_recorded(sim):
    _, p = sim
    assert p["response_hours"]["complaint"] == 24
    assert p["breach_prob"]["complaint"] == service.BREACH_PROB
    assert sum(p["root_cause_shares"].values()) == pytest.approx(1.0)
    assert p["automation_rules"] == {"UNPAID_24H": 24, "RECOMMEND_30D": 720, "WINBACK_180D": 4320}


def test_complaint_sla_breach_share_matches_planted(sim):
    db, p = sim
    t = crmlab.read_table(db, "tickets")
    c = t.loc[t.kind == "complaint"]
    assert ((c.response_due_at - c.opened_at) == pd.Timedelta(hours=24)).all()
    answered = c.loc[c.first_response_at.notna()]
    late = (answered.first_response_at > answered.response_due_at).mean()
    se = np.sqrt(p["breach_prob"]["complaint"] * (1 - p["breach_prob"]["complaint"]) / len(answered))
    assert abs(late - p["breach_prob"]["complaint"]) < 4 * se
    # the CRM's SLA report finds exactly the breaches the simulator counted
    crm = crmlab.CRM(db, user="admin")
    s = crm.sla_summary()
    assert s["breached"] + s["breached_open"] == p["n_complaint_breaches"]


def test_root_cause_shares_match_planted(sim):
    db, p = sim
    crm = crmlab.CRM(db, user="admin")
    rc = crm.root_causes().set_index("root_cause")
    n = rc.n.sum()
    assert rc.n.to_dict() == {k: v for k, v in p["root_cause_counts"].items() if v}
    for cause, share in p["root_cause_shares"].items():
        se = np.sqrt(share * (1 - share) / n)
        assert abs(rc.share.get(cause, 0.0) - share) < 4 * se, cause


def test_breaches_lower_satisfaction(sim):
    db, p = sim
    t = crmlab.read_table(db, "tickets")
    t = t.loc[t.satisfaction.notna()]
    late = t.first_response_at > t.response_due_at
    assert t.loc[late, "satisfaction"].mean() < t.loc[~late, "satisfaction"].mean() - 0.8


def test_return_visit_rate_near_planted(sim):
    db, p = sim
    rate = crmlab.CRM(db, user="admin").return_visit_rate(within_days=7)
    assert abs(rate - p["return_visit_prob"]) < 0.05


def test_rules_and_automation_on_simulated_data(sim):
    db, _ = sim
    rules = crmlab.read_table(db, "automation_rules")
    assert dict(zip(rules.code, rules.delay_hours)) == {"UNPAID_24H": 24, "RECOMMEND_30D": 720, "WINBACK_180D": 4320}
    crm = crmlab.CRM(db, user="admin")
    cand = crm.automation_candidates()
    assert cand.dedupe_key.is_unique or cand.groupby("rule").dedupe_key.apply(lambda s: s.is_unique).all()


def test_interactions_respect_the_two_hour_rule(sim):
    db, _ = sim
    i = crmlab.read_table(db, "interactions")
    assert i.duration_minutes.max() <= 120
    assert (i.next_follow_up_at.isna() | (i.next_follow_up_at >= i.occurred_at)).all()
