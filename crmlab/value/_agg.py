"""Per-customer totals: the common first step of Pareto, pyramid and ABC grading."""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.value import _validate as v


def per_customer(data: pd.DataFrame, value: str, customer: str | None, *, allow_negative: bool = False) -> pd.Series:
    """Total ``value`` per ``customer`` (rows are summed), sorted by value descending, ties by id ascending.

    With ``customer=None`` each row is already one customer (the index is the customer id).
    """
    v.frame(data, [value] + ([customer] if customer else []), name="data")
    vals = v.numeric(data, value, money=not allow_negative)
    if customer:
        codes, uniq = v.codes(data[customer].to_numpy())
        s = pd.Series(np.bincount(codes, weights=vals, minlength=len(uniq)), index=pd.Index(uniq, name=customer))
    else:
        s = pd.Series(vals, index=data.index).sort_index(kind="stable")
    # stable sort of an id-sorted series: equal values keep ascending ids (the tie rule)
    order = np.argsort(-s.to_numpy(), kind="stable")
    return s.iloc[order].rename(value)
