"""Regression where the course teaches it: satisfaction → loyalty (OLS) and satisfaction →
repurchase (logit), with statsmodels so students see the familiar summary tables.

    LOY_i = β0 + β1·SAT_i + ε_i                         (ordinary least squares, 最小二乘回归)
    logit P(repurchase_i = 1) = β0 + β1·SAT_i            (logistic regression, 逻辑回归)

SAT and LOY are per-respondent scores, e.g. the 0–100 construct scores of
``satisfaction_index(...).scores``; β1 is then loyalty points per satisfaction point (OLS) or the
change in log-odds of buying again per satisfaction point (logit).

>>> import pandas as pd
>>> d = pd.DataFrame({"SAT": [1.0, 2, 3, 4], "LOY": [2.0, 4, 6, 8]})
>>> round(float(satisfaction_loyalty_ols(d).params["SAT"]), 6)
2.0
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from crmlab.errors import DataError


def _check(data: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    for c in cols:
        if c not in data.columns:
            raise DataError(c, "column missing from the regression data")
    d = data[list(cols)].apply(pd.to_numeric, errors="coerce")
    bad = [c for c in cols if not str(c).isidentifier()]
    if bad:
        raise DataError(str(bad[0]), "use a column name made of letters, digits and _ (rename it first)")
    if d.isna().any().any():
        c = d.columns[d.isna().any()][0]
        raise DataError(c, f"{int(d[c].isna().sum())} missing or non-numeric value(s)")
    return d


def satisfaction_loyalty_ols(data: pd.DataFrame, satisfaction: str = "SAT", loyalty: str = "LOY",
                             controls: Sequence[str] = ()):
    """OLS of loyalty on satisfaction (plus optional controls); returns statsmodels results
    (``.params``, ``.bse``, ``.rsquared``, ``.summary()``)."""
    d = _check(data, [loyalty, satisfaction, *controls])
    formula = f"{loyalty} ~ {satisfaction}" + "".join(f" + {c}" for c in controls)
    return smf.ols(formula, d).fit()


def satisfaction_repurchase_logit(data: pd.DataFrame, repurchase: str, satisfaction: str = "SAT",
                                  controls: Sequence[str] = ()):
    """Logit of a 0/1 repurchase flag on satisfaction; returns statsmodels results."""
    d = _check(data, [repurchase, satisfaction, *controls])
    if not d[repurchase].isin([0, 1]).all():
        raise DataError(repurchase, "the repurchase flag must be 0 or 1")
    if d[repurchase].nunique() < 2:
        raise DataError(repurchase, "everyone has the same value: nothing to explain")
    formula = f"{repurchase} ~ {satisfaction}" + "".join(f" + {c}" for c in controls)
    return smf.logit(formula, d).fit(disp=0)

