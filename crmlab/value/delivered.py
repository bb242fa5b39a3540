"""Customer delivered value (客户让渡价值, Kotler) = total customer value − total customer cost.

Total customer value (顾客总价值) = product + service + personnel + image value
(产品价值、服务价值、人员价值、形象价值); total customer cost (顾客总成本) = money + time +
energy + physical cost (货币、时间、精神、体力成本; seed 002 merges energy and physical).

>>> import pandas as pd
>>> d = pd.DataFrame({"product": [80.], "service": [20.], "personnel": [10.], "image": [10.],
...                   "money": [70.], "time": [10.], "energy": [5.], "physical": [5.]})
>>> delivered_value(d)[["total_value", "total_cost", "delivered_value", "value_ratio"]].iloc[0].tolist()
[120.0, 90.0, 30.0, 1.3333333333333333]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError
from crmlab.value import _validate as v

__all__ = ["delivered_value", "VALUE_PARTS", "COST_PARTS"]

VALUE_PARTS = {"product": "产品价值", "service": "服务价值", "personnel": "人员价值", "image": "形象价值"}
COST_PARTS = {"money": "货币成本", "time": "时间成本", "energy": "精神成本", "physical": "体力成本"}


def delivered_value(data: pd.DataFrame, *, value_parts=tuple(VALUE_PARTS), cost_parts=tuple(COST_PARTS)) -> pd.DataFrame:
    """Adds total_value, total_cost, delivered_value (= value − cost) and value_ratio (= value / cost).

    Missing part columns are refused by name; pass ``cost_parts=("money", "time", "energy_physical")``
    for the three-part seed-002 form. Units: any common unit (yuan or score points).
    """
    v.frame(data, list(value_parts) + list(cost_parts), name="data")
    tv = sum(v.numeric(data, c, nonneg=True) for c in value_parts)
    tc = sum(v.numeric(data, c, nonneg=True) for c in cost_parts)
    out = data.copy()
    out["total_value"] = tv
    out["total_cost"] = tc
    out["delivered_value"] = tv - tc
    out["value_ratio"] = np.where(tc > 0, tv / np.where(tc > 0, tc, 1), np.inf)
    return out
