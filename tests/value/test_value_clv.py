"""CLV formulas against hand-computed values (independent of the code)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.errors import DataError
import importlib

m = importlib.import_module("crmlab.value.clv")


def test_clv_hand_example():
    # 100/1.1 + 100/1.21 + 100/1.331
    assert m.clv([100, 100, 100], r=0.10) == pytest.approx(90.9090909 + 82.6446281 + 75.1314801, abs=1e-6)
    assert m.clv([100, 100, 100], r=0.10) == pytest.approx(248.685, abs=5e-4)


def test_clv_profit_form_and_margin():
    assert m.clv([100, 200], r=0.0, cost=[30, 50]) == pytest.approx(220.0)
    assert m.clv([100, 200], r=0.0, cost=40) == pytest.approx(220.0)
    assert m.clv([1000], r=0.25, margin=0.2) == pytest.approx(160.0)
    sched = m.clv_schedule([100, 100], 0.1)
    assert sched["discount_factor"].tolist() == pytest.approx([1 / 1.1, 1 / 1.21])
    assert sched["cumulative"].iloc[-1] == pytest.approx(100 / 1.1 + 100 / 1.21)


def test_clv_components_add_up():
    s = m.clv_components(0.1, CLV1=[110], CLV2=[0, 121], CLV3=[11, 0], CLV4=[0, 0, 133.1], CLV5=[22], CLV6=[0, 12.1])
    assert s["CLV1"] == pytest.approx(100) and s["CLV2"] == pytest.approx(100)
    assert s["CLV4"] == pytest.approx(100) and s["CLV6"] == pytest.approx(10)
    assert s["CLV"] == pytest.approx(100 + 100 + 10 + 100 + 20 + 10)
    with pytest.raises(DataError) as e:
        m.clv_components(0.1, CLV7=[1])
    assert e.value.field == "CLV7"


def test_clv_retention():
    # infinite horizon: m ρ/(1 + r − ρ) = 100·0.8/0.3
    assert m.clv_retention(100, 0.8, 0.1) == pytest.approx(800 / 3)
    # three years by hand
    q = 0.8 / 1.1
    assert m.clv_retention(100, 0.8, 0.1, horizon=3) == pytest.approx(100 * (q + q**2 + q**3))
    # long horizon converges to the closed form
    assert m.clv_retention(100, 0.8, 0.1, horizon=400) == pytest.approx(800 / 3)


def test_net_profit_and_relationship_value():
    assert m.net_profit(1000, 600, 50, 30) == 320.0
    np.testing.assert_allclose(m.net_profit([10, 20], [4, 5], 1, [0, 2]), [5, 12])
    assert m.relationship_value(5000, 1200) == 3800.0


def test_historical_current_potential_values():
    o = pd.DataFrame({"customer_id": [1, 1, 2], "amount": [100.0, 200.0, 50.0], "cost": [60.0, 120.0, 10.0],
                      "ordered_at": pd.to_datetime(["2023-01-01", "2024-06-01", "2024-12-01"])})
    h = m.historical_value(o, at="2025-01-01")
    assert h.loc[1] == pytest.approx(40 + 80) and h.loc[2] == pytest.approx(40)
    c = m.current_value(o, at="2025-01-01", window_weeks=52)
    assert c.loc[1] == pytest.approx(80.0) and c.loc[2] == pytest.approx(40.0)
    c26 = m.current_value(o, at="2025-01-01", window_weeks=26)
    assert c26.loc[1] == pytest.approx(0.0) and c26.loc[2] == pytest.approx(80.0)
    p = m.potential_value(pd.Series({1: 500.0, 2: 20.0}), c, years=2)
    assert p.loc[1] == pytest.approx(340.0) and p.loc[2] == pytest.approx(-60.0)


@pytest.mark.parametrize("r", [-1, -1.5, float("nan"), "ten"])
def test_discount_rate_must_exceed_minus_one(r):
    with pytest.raises(DataError) as e:
        m.clv([100], r=r)
    assert e.value.field == "r"


def test_bad_money_is_refused():
    with pytest.raises(DataError) as e:
        m.clv([100, -5], r=0.1)
    assert e.value.field == "revenue" and "negative" in e.value.reason
    with pytest.raises(DataError) as e:
        m.clv([], r=0.1)
    assert "empty" in e.value.reason
    with pytest.raises(DataError) as e:
        m.clv(["a"], r=0.1)
    assert e.value.field == "revenue"
    with pytest.raises(DataError) as e:
        m.clv([1, 2], r=0.1, cost=[1, 2, 3])
    assert e.value.field == "cost"
    with pytest.raises(DataError) as e:
        m.historical_value(pd.DataFrame({"customer_id": [1], "ordered_at": ["2024-01-01"]}))
    assert e.value.field == "amount" and "missing" in e.value.reason
