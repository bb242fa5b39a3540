"""Lab 01's exercise definitions: expected values from independent SQL, and every mistake hint fires."""
from __future__ import annotations

import math

import pytest

import crmlab
from crmlab.labs.lab01 import EXERCISES, TABLE_KIND
from crmlab.teaching import LabData, evaluate

PAID = "('paid', 'shipped', 'delivered')"


@pytest.fixture(scope="module")
def data():
    db = crmlab.simulate(300, seed=5, url="sqlite://")
    return LabData(db, seed=5, n_customers=300)


def one(data, query):
    return data.db.sql(query).iloc[0, 0]


def test_definitions_are_complete():
    assert EXERCISES.validate() == []
    code = [n for n in EXERCISES.names() if n.startswith("q")]
    assert code == [f"q{i}" for i in range(1, 10)]
    assert set(TABLE_KIND) == set(crmlab.db.schema.TABLES)


def test_expected_values_match_sql(data):
    sales = float(one(data, f"SELECT SUM(amount) FROM orders WHERE status IN {PAID}"))
    buyers = int(one(data, f"SELECT COUNT(DISTINCT customer_id) FROM orders WHERE status IN {PAID}"))
    n = int(one(data, f"SELECT COUNT(*) FROM orders WHERE status IN {PAID}"))
    items = float(one(data, f"SELECT SUM(n_items) FROM orders WHERE status IN {PAID}"))
    assert math.isclose(EXERCISES["q3"](data), sales, abs_tol=0.01)
    assert EXERCISES["q4"](data) == int(one(data, "SELECT COUNT(*) FROM orders WHERE status = 'placed'"))
    assert math.isclose(EXERCISES["q6"](data), n / buyers, rel_tol=1e-12)
    assert math.isclose(EXERCISES["q7"](data), sales / buyers, rel_tol=1e-9)
    tree = EXERCISES["q8"](data).set_index("factor")["value"]
    assert tree.to_dict() == pytest.approx({"buyers": buyers, "orders_per_buyer": n / buyers,
                                            "items_per_order": items / n, "avg_item_price": sales / items})
    assert math.isclose(tree.prod(), sales, abs_tol=0.005)          # the identity, to the cent
    companies = int(one(data, "SELECT COUNT(*) FROM customers WHERE customer_type = 'company'"))
    assert math.isclose(EXERCISES["q2"](data), companies / 300, rel_tol=1e-12)
    q1 = EXERCISES["q1"](data).set_index("category")["n_customers"]
    assert list(q1.index) == ["important", "ordinary", "potential"] and q1.sum() == 300
    assert sorted(EXERCISES["q9"](data)) == ["opportunities", "order_lines", "orders"]


def test_expected_answers_are_correct(data):
    for ex in EXERCISES:
        if ex.name.startswith("q"):
            assert evaluate(EXERCISES, ex.name, ex.expected(data), data).correct, ex.name


def test_every_mistake_is_wrong_and_named(data):
    seen = 0
    for ex in EXERCISES:
        expected = ex.expected(data)
        for m in ex.mistakes:
            value = m.func(data)
            if ex.check.compare(value, expected).correct:
                continue        # this dataset happens to make the mistake harmless (e.g. no such orders)
            fb = evaluate(EXERCISES, ex.name, value, data)
            assert not fb.correct
            assert m.en in fb.hints, (ex.name, m.key, fb.hints)
            seen += 1
    assert seen >= 12


def test_hints_in_chinese(data):
    value = float(data.table("orders")["amount"].sum())             # every status summed
    fb = evaluate(EXERCISES, "q3", value, data, "zh")
    assert any("拍下未付款" in h for h in fb.hints)
