"""ABC classification (ABC 分类法) of customers by value.

Rule: rank customers by value (descending, ties by id); a customer is in class A while the
cumulative share *before* them is below 80 %, in B while it is below 95 %, else C. So the customer
who crosses 80 % is still A. (ABC comes from inventory management, not from the course seeds.)

>>> import pandas as pd
>>> d = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5], "amount": [50., 30., 10., 6., 4.]})
>>> abc(d)["abc_class"].tolist()
['A', 'A', 'B', 'B', 'C']
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError
from crmlab.value._agg import per_customer

__all__ = ["abc"]


def abc(data: pd.DataFrame, *, value: str = "amount", customer: str | None = "customer_id",
        cuts=(0.8, 0.95), labels=("A", "B", "C")) -> pd.DataFrame:
    """Per customer: value, share, cumulative share and ``abc_class``."""
    cuts = list(cuts)
    if len(labels) != len(cuts) + 1 or sorted(cuts) != cuts or not all(0 < c < 1 for c in cuts):
        raise DataError("cuts", "need increasing shares in (0, 1) and one more label than cuts")
    s = per_customer(data, value, customer)
    total = s.sum()
    if total <= 0:
        raise DataError(value, "the total is zero: there is nothing to classify")
    share = s.to_numpy() / total
    before = np.cumsum(share) - share
    cls = np.array(labels)[np.searchsorted(np.array(cuts) - 1e-12, before, side="right")]
    return pd.DataFrame({"value": s.to_numpy(), "share": share, "cumulative_share": before + share,
                         "abc_class": cls}, index=s.index)
