"""Lab 04 exercises: defined, personal, and every known mistake is caught with its own hint."""
from __future__ import annotations

import pytest

import crmlab
from crmlab.labs.lab04 import EXERCISES
from crmlab.teaching.exercises import LabData, evaluate

CODE = [n for n in EXERCISES.names() if not n.startswith("m")]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('lab04') / 'crm.db'}"
    return LabData(crmlab.simulate(2000, seed=21, url=url), seed=21)


def test_definition():
    assert len(CODE) >= 8
    assert EXERCISES.validate() == []
    assert all(EXERCISES[n].mistakes for n in CODE if n != "q14")


@pytest.mark.parametrize("name", CODE)
def test_expected_is_correct_and_mistakes_get_their_hint(data, name):
    ex = EXERCISES[name]
    want = ex.expected(data)
    assert evaluate(EXERCISES, name, want, data, expected=want).status == "correct"
    for m in ex.mistakes:
        fb = evaluate(EXERCISES, name, m.func(data), data, expected=want)
        assert fb.status == "wrong" and fb.mistake == m.key, (name, m.key, fb.status)


def test_sem_exercise_compares_with_planted_truth(data):
    t = EXERCISES["q4"].expected(data)
    assert len(t) == 12 and t["error"].abs().max() <= 0.1


def test_answers_are_personal(data, tmp_path):
    other = LabData(crmlab.simulate(2000, seed=22, url=f"sqlite:///{tmp_path / 'b.db'}"), seed=22)
    names = ("q1", "q2", "q3", "q7", "q10", "q12", "q13")
    differ = [n for n in names if EXERCISES[n].expected(data) != EXERCISES[n].expected(other)]
    assert len(differ) == len(names)
