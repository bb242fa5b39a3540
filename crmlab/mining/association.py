"""Association rules (关联规则) for market-basket analysis (购物篮分析).

For a rule A → C over N baskets:

* support (支持度)      s(A→C) = n(A ∪ C) / N           how common the pair is
* confidence (置信度)   c(A→C) = s(A ∪ C) / s(A)        P(C | A)
* lift (提升度)         l(A→C) = c(A→C) / s(C)          > 1: A makes C more likely than usual
* leverage (杠杆率)     s(A ∪ C) − s(A)·s(C)            extra co-occurrence over independence
* conviction (确信度)   (1 − s(C)) / (1 − c(A→C))       ∞ when the rule never fails

Itemsets are mined with mlxtend: FP-growth by default; Apriori with ``low_memory=True`` on request
(mlxtend's default Apriori materialises every candidate and can take gigabytes).

>>> baskets = [["beer", "diapers"], ["beer", "diapers", "milk"], ["beer"], ["milk"]]
>>> r = association_rules(baskets, min_support=0.25)
>>> row = r[(r.antecedent == "diapers") & (r.consequent == "beer")].iloc[0]
>>> float(row.support), float(row.confidence), float(row.lift)
(0.5, 1.0, 1.3333333333333333)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError
from crmlab.mining.baskets import as_one_hot

__all__ = ["frequent_itemsets", "association_rules", "rule_metrics", "ALGORITHMS"]

ALGORITHMS = ("fpgrowth", "apriori")
RULE_COLUMNS = ["antecedent", "consequent", "antecedent_support", "consequent_support", "support",
                "confidence", "lift", "leverage", "conviction", "n_items"]


def _check_support(min_support: float) -> None:
    if not (isinstance(min_support, (int, float)) and 0 < min_support <= 1):
        raise DataError("min_support", f"must be a share in (0, 1], got {min_support!r}")


def frequent_itemsets(data, min_support: float = 0.01, *, algorithm: str = "fpgrowth",
                      max_len: int | None = None, low_memory: bool = True) -> pd.DataFrame:
    """Itemsets whose support is at least ``min_support`` (频繁项集): columns ``support, itemsets, length``.

    ``data``: baskets in any shape :func:`crmlab.mining.baskets.as_one_hot` accepts.
    ``algorithm``: ``"fpgrowth"`` (default) or ``"apriori"`` (run with ``low_memory``).

    >>> fi = frequent_itemsets([["a", "b"], ["a"], ["a", "b"], ["c"]], min_support=0.5)
    >>> sorted((sorted(s), float(v)) for s, v in zip(fi.itemsets, fi.support))
    [(['a'], 0.75), (['a', 'b'], 0.5), (['b'], 0.5)]
    """
    from mlxtend.frequent_patterns import apriori, fpgrowth

    _check_support(min_support)
    onehot = as_one_hot(data)
    if algorithm == "fpgrowth":
        fi = fpgrowth(onehot, min_support=min_support, use_colnames=True, max_len=max_len)
    elif algorithm == "apriori":
        fi = apriori(onehot, min_support=min_support, use_colnames=True, max_len=max_len, low_memory=low_memory)
    else:
        raise DataError("algorithm", f"must be one of {ALGORITHMS}, got {algorithm!r}")
    fi = fi.copy()
    fi["length"] = fi["itemsets"].map(len)
    return fi.sort_values(["length", "support"], ascending=[True, False], kind="stable").reset_index(drop=True)


def _label(items) -> str:
    return " + ".join(sorted(map(str, items)))


def association_rules(data, min_support: float = 0.01, min_confidence: float = 0.0, *,
                      min_lift: float | None = None, algorithm: str = "fpgrowth", max_len: int | None = 2,
                      sort_by: str = "lift") -> pd.DataFrame:
    """Association rules A → C with support, confidence, lift, leverage and conviction.

    Mines frequent itemsets of up to ``max_len`` items (2 = pairs, the classic "beer → diapers"
    shape; ``None`` = no limit), then keeps rules with confidence ≥ ``min_confidence`` (and lift ≥
    ``min_lift`` if given), sorted by ``sort_by`` (descending). ``antecedent`` / ``consequent`` are
    item names joined by " + "; ``antecedents`` / ``consequents`` hold the frozensets.
    All measures are shares of baskets (0–1) except lift and conviction (ratios).
    """
    from mlxtend.frequent_patterns import association_rules as _rules

    if not 0 <= min_confidence <= 1:
        raise DataError("min_confidence", f"must be a share in [0, 1], got {min_confidence!r}")
    onehot = as_one_hot(data)
    fi = frequent_itemsets(onehot, min_support, algorithm=algorithm, max_len=max_len)
    empty = pd.DataFrame({c: pd.Series(dtype=float) for c in RULE_COLUMNS})
    if (fi["length"] > 1).sum() == 0:
        return empty.assign(antecedent=empty.antecedent.astype(object), consequent=empty.consequent.astype(object))
    rules = _rules(fi.drop(columns="length"), num_itemsets=len(onehot), metric="confidence",
                   min_threshold=min_confidence)
    rules = rules.rename(columns={"antecedent support": "antecedent_support",
                                  "consequent support": "consequent_support"})
    rules.insert(0, "antecedent", rules["antecedents"].map(_label))
    rules.insert(1, "consequent", rules["consequents"].map(_label))
    rules["n_items"] = rules["antecedents"].map(len) + rules["consequents"].map(len)
    if min_lift is not None:
        rules = rules[rules["lift"] >= min_lift]
    if sort_by not in rules.columns:
        raise DataError("sort_by", f"unknown rule measure {sort_by!r}; choose from {RULE_COLUMNS[2:]}")
    rules = rules.sort_values([sort_by, "support", "antecedent", "consequent"],
                              ascending=[False, False, True, True], kind="stable")
    return rules[RULE_COLUMNS + ["antecedents", "consequents"]].reset_index(drop=True)


def rule_metrics(data, antecedent, consequent) -> pd.Series:
    """The measures of one rule counted directly from the baskets (no mining; any support).

    ``antecedent`` / ``consequent``: an item name or a list of names.

    >>> m = rule_metrics([["beer", "diapers"], ["beer"], ["diapers"], ["milk"]], "diapers", "beer")
    >>> float(m.support), float(m.confidence), float(m.lift), float(m.leverage), float(m.conviction)
    (0.25, 0.5, 1.0, 0.0, 1.0)
    """
    onehot = as_one_hot(data)
    a = [antecedent] if isinstance(antecedent, str) else list(antecedent)
    c = [consequent] if isinstance(consequent, str) else list(consequent)
    for name in a + c:
        if name not in onehot.columns:
            raise DataError("item", f"{name!r} does not occur in any basket")
    n = len(onehot)
    has_a = onehot[a].all(axis=1).to_numpy()
    has_c = onehot[c].all(axis=1).to_numpy()
    s_a, s_c, s_ac = has_a.sum() / n, has_c.sum() / n, (has_a & has_c).sum() / n
    conf = s_ac / s_a if s_a else np.nan
    lift = conf / s_c if s_c else np.nan
    conviction = np.inf if conf == 1 else (1 - s_c) / (1 - conf)
    return pd.Series({"antecedent": _label(a), "consequent": _label(c), "n_baskets": n,
                      "antecedent_support": s_a, "consequent_support": s_c, "support": s_ac,
                      "confidence": conf, "lift": lift, "leverage": s_ac - s_a * s_c,
                      "conviction": conviction})
