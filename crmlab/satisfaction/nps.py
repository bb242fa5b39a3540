"""Net Promoter Score (净推荐值, Reichheld 2003).

"How likely are you to recommend us to a friend?" on 0–10: promoters (推荐者) answer 9–10,
passives (被动者) 7–8, detractors (贬损者) 0–6.

    NPS = 100 · (promoters − detractors) / respondents      (in points, −100 … 100)

>>> nps([10, 9, 8, 7, 6, 0])["nps"]
0.0
>>> nps([10, 10, 10, 3])["nps"]
50.0
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError

GROUPS = {"promoter": "推荐者", "passive": "被动者", "detractor": "贬损者"}


def _scores(scores, field: str) -> np.ndarray:
    s = pd.to_numeric(pd.Series(scores), errors="coerce")
    if len(s) == 0:
        raise DataError(field, "no answers")
    if s.isna().any():
        raise DataError(field, "missing or non-numeric answer")
    v = s.to_numpy(float)
    bad = (v < 0) | (v > 10) | (v != np.round(v))
    if bad.any():
        raise DataError(field, f"answer {v[bad][0]:g} is not a whole number from 0 to 10")
    return v


def nps_group(scores, field: str = "recommend", lang: str = "en") -> pd.Series:
    """promoter / passive / detractor per answer."""
    v = _scores(scores, field)
    g = pd.Series(np.where(v >= 9, "promoter", np.where(v >= 7, "passive", "detractor")), name="group")
    return g.map(GROUPS) if lang == "zh" else g


def nps(scores, field: str = "recommend") -> dict:
    """Shares of promoters, passives, detractors (0–1) and the NPS (−100 … 100)."""
    v = _scores(scores, field)
    n = len(v)
    pro, det = float((v >= 9).sum()) / n, float((v <= 6).sum()) / n
    return {"n": n, "promoters": pro, "passives": 1.0 - pro - det, "detractors": det,
            "nps": round(100.0 * (pro - det), 10)}
