"""Planted truths of the survey domain are recovered at the default survey size.

Expected values come from the planted parameters in ``ctx.truth["survey"]`` (never from the code
under test). The SEM is checked on the generator alone (fake context, 2,000 customers → 1,500
CSI respondents) and, in test_satisfaction_db.py, on a full default simulation.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from crmlab import satisfaction as S
from crmlab.simulate import survey as sim


def test_tables_and_truth_shape(fake_survey):
    t = fake_survey.tables
    assert set(t) == {"survey_instruments", "survey_items", "survey_responses", "survey_answers"}
    assert sorted(t["survey_instruments"]["code"]) == ["csi", "kano", "nps", "servqual"]
    # one response per instrument and customer (the schema's unique constraint)
    assert not t["survey_responses"].duplicated(["instrument_id", "customer_id"]).any()
    assert not t["survey_answers"].duplicated(["response_id", "item_id"]).any()
    truth = fake_survey.truth["survey"]
    json.dumps(truth)                                     # JSON-serialisable
    assert truth["csi"]["n_respondents"] == sim.CSI_RESPONDENTS
    # every answer lies on its instrument's scale
    a = t["survey_answers"].merge(t["survey_items"][["item_id", "instrument_id"]], on="item_id")
    a = a.merge(t["survey_instruments"][["instrument_id", "scale_min", "scale_max"]], on="instrument_id")
    assert ((a["value"] >= a["scale_min"]) & (a["value"] <= a["scale_max"])).all()


def test_generator_is_deterministic():
    from satisfaction_fakectx import FakeCtx

    a, b = FakeCtx(300, seed=5), FakeCtx(300, seed=5)
    sim.generate(a)
    sim.generate(b)
    pd.testing.assert_frame_equal(a.tables["survey_answers"], b.tables["survey_answers"])
    assert a.truth == b.truth


def test_latents_are_standardised():
    # independent check of the planted disturbance variances: Var(η) = 1 for every latent,
    # computed by simulation from the planted paths alone
    rng = np.random.default_rng(1)
    n = 400_000
    cov_truth = sim._latent_cov(sim.PATHS)[1]
    eta = {"IMG": rng.standard_normal(n)}
    for v in sim.LATENTS[1:]:
        eta[v] = sum(b * eta[p] for p, b in sim.PATHS[v].items()) + np.sqrt(cov_truth[v]) * rng.standard_normal(n)
    for v in sim.LATENTS:
        assert abs(eta[v].var() - 1) < 0.01, v


def test_sem_paths_recovered_at_default_size(fake_survey):
    wide = S.survey_wide(fake_survey.tables, "csi")
    assert len(wide) == 1500
    res = S.satisfaction_index(wide, model="full")
    cmp = S.compare_with_truth(res, fake_survey.truth["survey"]["csi"]["paths"])
    assert len(cmp) == 12 and cmp["estimate"].notna().all()
    bad = cmp[cmp["error"].abs() > 0.1]
    assert bad.empty, bad
    assert res.fit["cfi"] > 0.95 and res.fit["rmsea"] < 0.06
    # standard errors are positive and small at n = 1500
    assert (res.paths["se"] > 0).all() and (res.paths["std_se"] < 0.06).all()


def test_acsi_index_near_planted(fake_survey):
    wide = S.survey_wide(fake_survey.tables, "csi")
    planted = fake_survey.truth["survey"]["csi"]["index_expected"]
    assert abs(S.acsi_index(wide) - planted) < 1.5


def test_ccsi_has_total_effect_of_satisfaction_on_loyalty(fake_survey):
    # CCSI has no complaints node: its SAT → LOY is the total effect β_LS + β_CS·β_LC
    wide = S.survey_wide(fake_survey.tables, "csi")
    res = S.satisfaction_index(wide, model="ccsi")
    p = sim.PATHS
    total = p["LOY"]["SAT"] + p["CMP"]["SAT"] * p["LOY"]["CMP"]
    assert abs(res.path("LOY", "SAT") - total) < 0.1
    assert set(res.paths["lhs"]) | set(res.paths["rhs"]) == {"IMG", "EXP", "PQ", "PV", "SAT", "LOY"}


def test_scsb_has_no_perceived_quality(fake_survey):
    res = S.satisfaction_index(S.survey_wide(fake_survey.tables, "csi"), model="scsb")
    assert "PQ" not in set(res.paths["lhs"]) | set(res.paths["rhs"])


def test_servqual_gaps_recovered(fake_survey):
    g = S.servqual_gaps(S.survey_long(fake_survey.tables, "servqual")).set_index("dimension")
    dims = fake_survey.truth["survey"]["servqual"]["dimensions"]
    assert set(g.index) == set(dims)
    for d, v in dims.items():
        assert abs(g.loc[d, "gap"] - v["gap"]) < 0.15, d
    # the planted ordering: reliability has the largest shortfall
    assert g["gap"].idxmin() == "reliability"


def test_kano_categories_recovered(fake_survey):
    table = S.kano_table(S.kano_answers(S.survey_long(fake_survey.tables, "kano"))).set_index("feature")
    feats = fake_survey.truth["survey"]["kano"]["features"]
    hits = [table.loc[f, "category"] == v["category"] for f, v in feats.items()]
    assert np.mean(hits) >= 0.9
    for f, v in feats.items():
        assert abs(table.loc[f, "better"] - v["better"]) < 0.06
        assert abs(table.loc[f, "worse"] - v["worse"]) < 0.06


def test_nps_shares_recovered(fake_survey):
    wide = S.survey_wide(fake_survey.tables, "nps")
    res = S.nps(wide["recommend"])
    tr = fake_survey.truth["survey"]["nps"]
    assert abs(res["promoters"] - tr["promoter_share"]) < 0.04
    assert abs(res["detractors"] - tr["detractor_share"]) < 0.04


def test_loyalty_tracks_attitude(fake_survey):
    # LOY carries the customer's attitudinal loyalty (which drives real repeat purchase)
    scores = S.construct_scores(S.survey_wide(fake_survey.tables, "csi"))
    att = fake_survey.customers.set_index("customer_id").loc[scores["customer_id"], "attitude"].to_numpy()
    r = np.corrcoef(scores["LOY"], att)[0, 1]
    planted = fake_survey.truth["survey"]["csi"]["loy_attitude_corr"]
    # item means are noisy measures of LOY, so the correlation is attenuated but clearly positive
    assert 0.5 * planted < r < planted
