"""Bad input gets a DataError naming the column and the reason, across the value functions."""
from __future__ import annotations

import pandas as pd
import pytest

import crmlab
import crmlab.value as cv
from crmlab.errors import DataError

ORDERS = pd.DataFrame({"customer_id": [1, 2], "ordered_at": pd.to_datetime(["2024-01-01", "2024-02-01"]),
                       "amount": [10.0, 20.0], "cost": [4.0, 5.0], "n_items": [1, 2], "status": ["paid", "paid"]})

CALLS = {
    "rfm": lambda d: cv.rfm(d),
    "pareto": lambda d: cv.pareto(d),
    "pyramid": lambda d: cv.pyramid(d, value="amount"),
    "abc": lambda d: cv.abc(d),
    "kpi_tree": lambda d: cv.kpi_tree(d),
    "summary": lambda d: cv.summary_data_from_orders(d),
    "historical_value": lambda d: cv.historical_value(d),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_missing_column(name):
    with pytest.raises(DataError) as e:
        CALLS[name](ORDERS.drop(columns="amount"))
    assert e.value.field == "amount" and "missing column" in e.value.reason


@pytest.mark.parametrize("name", list(CALLS))
def test_empty_frame(name):
    with pytest.raises(DataError) as e:
        CALLS[name](ORDERS.iloc[:0])
    assert "empty" in e.value.reason


@pytest.mark.parametrize("name", [n for n in CALLS if n != "pyramid"])
def test_negative_money(name):
    with pytest.raises(DataError) as e:
        CALLS[name](ORDERS.assign(amount=[10.0, -1.0]))
    assert e.value.field == "amount" and "negative" in e.value.reason


@pytest.mark.parametrize("name", list(CALLS))
def test_non_numeric(name):
    with pytest.raises(DataError) as e:
        CALLS[name](ORDERS.assign(amount=["10", "abc"]))
    assert e.value.field == "amount" and "numeric" in e.value.reason


def test_errors_are_crmlab_errors():
    with pytest.raises(crmlab.CrmlabError):
        cv.clv([1.0], r=-2)
    with pytest.raises(DataError) as e:
        cv.clv_retention(100, 1.2, 0.1)
    assert e.value.field == "retention"
    with pytest.raises(DataError) as e:
        cv.predictive_clv(None, None, pd.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0], "monetary": [5.0]}),
                          r=-1)
    assert e.value.field == "r"
