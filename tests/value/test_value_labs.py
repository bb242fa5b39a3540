"""Labs 02 and 03: every exercise computes on a student's data, accepts its own answer and names mistakes."""
from __future__ import annotations

import pytest

import crmlab
from crmlab.labs import lab02, lab03
from crmlab.teaching.exercises import LabData, evaluate


@pytest.fixture(scope="module")
def data():
    db = crmlab.simulate(n_customers=1200, seed=21, url="sqlite://")
    return db


@pytest.mark.parametrize("mod", [lab02, lab03], ids=["lab02", "lab03"])
def test_lab_exercises(mod, data):
    ex = mod.EXERCISES
    assert ex.validate() == []
    names = [n for n in ex.names() if "." not in n]
    assert len(names) >= 8
    # at least one exercise compares with the planted truth or the hold-out future
    assert {ex[n].concept for n in names} & {"planted_truth", "holdout"}
    d = LabData(data, seed=21, student_id="t", n_customers=1200)
    for name in names:
        expected = ex[name].expected(d)
        assert evaluate(ex, name, expected, d).status == "correct", name
        for m in ex[name].mistakes:
            fb = evaluate(ex, name, m.func(d), d)
            if fb.status == "wrong":
                assert fb.mistake is not None, (name, m.key)


def test_personal_tables_depend_on_the_seed():
    assert not lab02.gale_attributes(1).equals(lab02.gale_attributes(2))
    assert not lab03.ahp_judgements(1).equals(lab03.ahp_judgements(2))
    assert lab03.ahp_judgements(7).equals(lab03.ahp_judgements(7))
