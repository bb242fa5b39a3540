"""KAISM (关键客户识别与选择矩阵): key-account identification and selection matrix.

The course names KAISM without its content; crmlab uses the usual directional-policy form:
customer attractiveness (客户吸引力: volume, profit, growth, ...) on one axis and the firm's
relative strength with that customer (企业相对竞争优势: share of wallet, relationship,
fit) on the other, each a 0–100 composite score (e.g. from :func:`crmlab.value.efficacy.composite_score`).
Quadrants (cut at ``cut``, default the median of each axis):

* high / high → ``strategic`` 关键客户(重点保持): invest, dedicated team;
* high attractiveness / low strength → ``develop`` 潜力客户(重点发展): build the position;
* low attractiveness / high strength → ``maintain`` 维持客户: serve efficiently;
* low / low → ``opportunistic`` 机会客户: minimal cost, serve when convenient.

>>> import pandas as pd
>>> d = pd.DataFrame({"attract": [90, 80, 20, 10], "strength": [85, 15, 90, 20]})
>>> kaism(d, attractiveness="attract", strength="strength", cut=50)["quadrant"].tolist()
['strategic', 'develop', 'maintain', 'opportunistic']
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.value import _validate as v

__all__ = ["kaism", "QUADRANTS"]

QUADRANTS = {"strategic": "关键客户(重点保持)", "develop": "潜力客户(重点发展)",
             "maintain": "维持客户", "opportunistic": "机会客户"}


def kaism(data: pd.DataFrame, *, attractiveness: str = "attractiveness", strength: str = "strength",
          cut=None) -> pd.DataFrame:
    """Adds ``quadrant`` and ``quadrant_zh``; ``cut`` = one number, a pair (x, y), or None (medians)."""
    v.frame(data, [attractiveness, strength], name="data")
    a = v.numeric(data, attractiveness)
    s = v.numeric(data, strength)
    if cut is None:
        ca, cs = float(np.median(a)), float(np.median(s))
    elif np.ndim(cut) == 0:
        ca = cs = float(cut)
    else:
        ca, cs = map(float, cut)
    hi_a, hi_s = a >= ca, s >= cs
    q = np.where(hi_a & hi_s, "strategic", np.where(hi_a, "develop", np.where(hi_s, "maintain", "opportunistic")))
    out = data.copy()
    out["quadrant"] = q
    out["quadrant_zh"] = pd.Series(q).map(QUADRANTS).to_numpy()
    return out
