"""Kano model (卡诺模型): functional / dysfunctional answers → quality category.

For each feature a respondent answers two questions: *functional* ("how do you feel if the
product has it?") and *dysfunctional* ("… if it does not?"), each with one of five answers:
1 like (喜欢), 2 must-be (理应如此), 3 neutral (无所谓), 4 live-with (能忍受), 5 dislike (不喜欢).
The evaluation table (Kano 1984; Berger et al. 1993) maps the pair to a category:

    functional \\ dysfunctional   like  must-be  neutral  live-with  dislike
    like                           Q      A        A        A         O
    must-be                        R      I        I        I         M
    neutral                        R      I        I        I         M
    live-with                      R      I        I        I         M
    dislike                        R      R        R        R         Q

A attractive 迷人质量, O one-dimensional 期望质量, M must-be 当然质量, I indifferent 无关质量,
R reverse 反向质量, Q questionable (contradictory answers, 可疑).

A feature's category is the most frequent one over respondents; the satisfaction and
dissatisfaction coefficients (Berger et al. 1993) are

    Better = (A + O)/(A + O + M + I),   Worse = −(O + M)/(A + O + M + I)

(counts; Better in [0, 1], Worse in [−1, 0]).

>>> kano_category([1, 2, 1, 3, 5], [3, 5, 5, 3, 1]).tolist()
['A', 'M', 'O', 'I', 'R']
>>> better_worse({"A": 4, "O": 2, "M": 3, "I": 1})
{'better': 0.6, 'worse': -0.5}
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from crmlab.errors import DataError

ANSWERS = {1: ("like", "喜欢"), 2: ("must-be", "理应如此"), 3: ("neutral", "无所谓"),
           4: ("live-with", "能忍受"), 5: ("dislike", "不喜欢")}
CATEGORIES = {"A": ("attractive", "迷人质量"), "O": ("one-dimensional", "期望质量"),
              "M": ("must-be", "当然质量"), "I": ("indifferent", "无关质量"),
              "R": ("reverse", "反向质量"), "Q": ("questionable", "可疑结果")}
EVALUATION_TABLE = np.array([
    ["Q", "A", "A", "A", "O"],
    ["R", "I", "I", "I", "M"],
    ["R", "I", "I", "I", "M"],
    ["R", "I", "I", "I", "M"],
    ["R", "R", "R", "R", "Q"],
])
#: the same table as integer codes into list(CATEGORIES) (A O M I R Q → 0..5)
_TABLE_CODES = np.vectorize(lambda c: list(CATEGORIES).index(c))(EVALUATION_TABLE)
_CODES = {**{k: k for k in ANSWERS}, **{v[0]: k for k, v in ANSWERS.items()}, **{v[1]: k for k, v in ANSWERS.items()}}


def evaluation_table(lang: str = "en") -> pd.DataFrame:
    """The Kano evaluation table as a DataFrame (rows functional, columns dysfunctional)."""
    names = [ANSWERS[k][1 if lang == "zh" else 0] for k in ANSWERS]
    return pd.DataFrame(EVALUATION_TABLE, index=pd.Index(names, name="functional"),
                        columns=pd.Index(names, name="dysfunctional"))


def _codes(values, field: str) -> np.ndarray:
    """Answers as codes 1–5; words (like / 喜欢 …) are accepted; anything else raises DataError."""
    s = pd.Series(values)
    if pd.api.types.is_numeric_dtype(s):
        v = s.to_numpy(float)
        ok = np.isin(v, [1, 2, 3, 4, 5])
        if not ok.all():
            bad = s[~ok].iloc[0]
            raise DataError(field, f"answer {bad!r} is not one of the five Kano options 1-5 "
                                   "(like, must-be, neutral, live-with, dislike)")
        return v.astype(np.int64)
    mapped = s.map(lambda x: _CODES.get(x.strip().lower() if isinstance(x, str) else x))
    if mapped.isna().any():
        bad = s[mapped.isna()].iloc[0]
        raise DataError(field, f"answer {bad!r} is not one of the five Kano options "
                               "(like, must-be, neutral, live-with, dislike)")
    return mapped.to_numpy(np.int64)


def kano_category(functional, dysfunctional, field: str = "answer") -> pd.Series:
    """Category (A/O/M/I/R/Q) of each functional/dysfunctional answer pair (vectorised table lookup)."""
    f = _codes(functional, f"{field} (functional)")
    d = _codes(dysfunctional, f"{field} (dysfunctional)")
    if len(f) != len(d):
        raise DataError(field, f"{len(f)} functional answers but {len(d)} dysfunctional answers")
    return pd.Series(EVALUATION_TABLE[f - 1, d - 1], name="category")


def kano_classify(data: pd.DataFrame, feature: str = "feature", functional: str = "functional",
                  dysfunctional: str = "dysfunctional") -> pd.DataFrame:
    """Add a ``category`` column: one row per respondent and feature.

    Errors name the feature whose answer is not one of the five options.
    """
    _validated(data, feature, functional, dysfunctional)
    out = data.copy()
    out["category"] = kano_category(data[functional].to_numpy(), data[dysfunctional].to_numpy()).to_numpy()
    return out


def _validated(data, feature, functional, dysfunctional):
    """Check the columns and every answer; errors name the feature that holds a bad answer."""
    for col in (feature, functional, dysfunctional):
        if col not in data.columns:
            raise DataError(col, "column missing from the Kano answers")
    for col in (functional, dysfunctional):      # name the feature that holds a bad answer
        s = data[col]
        if pd.api.types.is_numeric_dtype(s):
            bad = ~np.isin(s.to_numpy(), [1, 2, 3, 4, 5])
        else:
            uniq, inv = np.unique(s.astype(object).to_numpy(), return_inverse=True)
            ok = np.array([_CODES.get(u.strip().lower() if isinstance(u, str) else u) is not None for u in uniq])
            bad = ~ok[inv]
        if bad.any():
            raise DataError(f"{data.loc[bad, feature].iloc[0]} ({col})",
                            f"answer {s[bad].iloc[0]!r} is not one of the five Kano options "
                            "(like, must-be, neutral, live-with, dislike)")
    return data


def better_worse(counts: Mapping[str, float]) -> dict:
    """Better = (A+O)/(A+O+M+I), Worse = −(O+M)/(A+O+M+I) from category counts."""
    a, o, m, i = (float(counts.get(k, 0)) for k in "AOMI")
    tot = a + o + m + i
    if tot == 0:
        raise DataError("counts", "no A, O, M or I answers: Better/Worse undefined")
    return {"better": round((a + o) / tot, 12), "worse": round(-(o + m) / tot, 12)}


def kano_table(data: pd.DataFrame, feature: str = "feature", functional: str = "functional",
               dysfunctional: str = "dysfunctional") -> pd.DataFrame:
    """Per feature: counts and shares of A, O, M, I, R, Q, the modal category, Better and Worse.

    Input has one row per respondent and feature (e.g. from :func:`kano_answers`), or already a
    ``category`` column.
    """
    if "category" in data.columns:
        d = data
        ccode = pd.Categorical(d["category"], categories=list(CATEGORIES)).codes
        if (ccode < 0).any():
            raise DataError("category", f"unknown category {d['category'][ccode < 0].iloc[0]!r}")
    else:
        d = _validated(data, feature, functional, dysfunctional)
        ccode = _TABLE_CODES[_codes(d[functional].to_numpy(), functional) - 1,
                             _codes(d[dysfunctional].to_numpy(), dysfunctional) - 1]
    # counting by integer codes (bincount) is much faster than a crosstab on a million rows
    fcode, feats = pd.factorize(d[feature], sort=True)
    k = len(CATEGORIES)
    counts = pd.DataFrame(np.bincount(fcode * k + ccode, minlength=len(feats) * k).reshape(len(feats), k),
                          index=pd.Index(feats, name=feature), columns=list(CATEGORIES))
    n = counts.sum(axis=1)
    out = counts.copy()
    for c in CATEGORIES:
        out[f"share_{c}"] = counts[c] / n
    out["category"] = counts.idxmax(axis=1)
    out["category_zh"] = out["category"].map(lambda c: CATEGORIES[c][1])
    denom = counts[list("AOMI")].sum(axis=1).replace(0, np.nan)
    out["better"] = (counts["A"] + counts["O"]) / denom
    out["worse"] = -(counts["O"] + counts["M"]) / denom
    out["n"] = n
    out.columns.name = None
    return out.reset_index()


def answer_table(data: pd.DataFrame, feature_name: str, feature: str = "feature",
                 functional: str = "functional", dysfunctional: str = "dysfunctional",
                 lang: str = "en") -> pd.DataFrame:
    """The 5×5 count table of one feature's answers (rows functional, columns dysfunctional)."""
    d = data[data[feature] == feature_name]
    if d.empty:
        raise DataError(feature, f"no answers for feature {feature_name!r}")
    f = _codes(d[functional].to_numpy(), functional)
    x = _codes(d[dysfunctional].to_numpy(), dysfunctional)
    m = np.zeros((5, 5), np.int64)
    np.add.at(m, (f - 1, x - 1), 1)
    names = [ANSWERS[k][1 if lang == "zh" else 0] for k in ANSWERS]
    return pd.DataFrame(m, index=pd.Index(names, name="functional"), columns=pd.Index(names, name="dysfunctional"))


def kano_answers(long: pd.DataFrame) -> pd.DataFrame:
    """From the survey's long answers (``survey_long(db, "kano")``) to one row per respondent and
    feature with ``functional`` and ``dysfunctional`` columns."""
    for col in ("response_id", "construct", "facet", "value"):
        if col not in long.columns:
            raise DataError(col, "column missing from the Kano answers")
    w = long.pivot_table(index=["response_id", "construct"], columns="facet", values="value", aggfunc="first")
    for col in ("functional", "dysfunctional"):
        if col not in w.columns:
            raise DataError(col, "no answers to the question of this kind")
    missing = w[["functional", "dysfunctional"]].isna().any(axis=1)
    if missing.any():
        feat = w.index[missing][0][1]
        raise DataError(feat, "a respondent answered only one of the two questions")
    w = w.reset_index().rename(columns={"construct": "feature"})
    w.columns.name = None
    w[["functional", "dysfunctional"]] = w[["functional", "dysfunctional"]].astype(np.int64)
    return w[["response_id", "feature", "functional", "dysfunctional"]]
