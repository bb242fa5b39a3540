"""Grading by a learned rule (基于规则学习的客户分级): a decision tree trained on graded customers.

Steps (seed 001): fix the classes, pick attributes, fit a classifier on customers whose grade is
known, validate it on held-back customers, then apply the rule to the ungraded ones. The tree is
small enough to read (and drawn with :func:`crmlab.value.plots.tree_plot`).

>>> import pandas as pd
>>> d = pd.DataFrame({"spend": [10, 20, 30, 400, 500, 600] * 5, "grade": ["small"] * 3 + ["key"] * 3 + ["small"] * 3 + ["key"] * 3
...                   + ["small"] * 3 + ["key"] * 3 + ["small"] * 3 + ["key"] * 3 + ["small"] * 3 + ["key"] * 3})
>>> res = learn_grading(d, features=["spend"], label="grade")
>>> res.accuracy, res.predict(pd.DataFrame({"spend": [15, 550]})).tolist()
(1.0, ['small', 'key'])
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab.errors import DataError
from crmlab.value import _validate as v

__all__ = ["learn_grading", "GradingRule"]


@dataclass
class GradingRule:
    model: object
    features: list
    label: str
    accuracy: float
    confusion: pd.DataFrame
    n_train: int
    n_test: int

    def predict(self, data: pd.DataFrame) -> pd.Series:
        """Apply the learned rule to (ungraded) customers."""
        v.frame(data, self.features, name="data")
        X = np.column_stack([v.numeric(data, f) for f in self.features])
        return pd.Series(self.model.predict(X), index=data.index, name=f"predicted_{self.label}")

    def rules(self) -> str:
        """The tree as if-then text (sklearn ``export_text``)."""
        from sklearn.tree import export_text

        return export_text(self.model, feature_names=list(self.features))


def learn_grading(data: pd.DataFrame, *, features, label: str, max_depth: int = 3, test_size: float = 0.3,
                  seed: int = 0, min_samples_leaf: int = 5) -> GradingRule:
    """Fit a depth-limited decision tree (scikit-learn) on ``features`` → ``label``; validate on a
    stratified hold-back of ``test_size``. Deterministic for a given ``seed``."""
    from sklearn.model_selection import train_test_split
    from sklearn.tree import DecisionTreeClassifier

    features = list(features)
    v.frame(data, features + [label], name="data")
    X = np.column_stack([v.numeric(data, f) for f in features])
    y = data[label].astype(str).to_numpy()
    if len(np.unique(y)) < 2:
        raise DataError(label, "needs at least two grades to learn a rule")
    counts = pd.Series(y).value_counts()
    strat = y if counts.min() >= 2 else None
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=strat)
    model = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=min_samples_leaf, random_state=seed)
    model.fit(Xtr, ytr)
    pred = model.predict(Xte)
    labels = list(model.classes_)
    conf = pd.crosstab(pd.Categorical(yte, labels), pd.Categorical(pred, labels), rownames=["actual"],
                       colnames=["predicted"], dropna=False)
    return GradingRule(model, features, label, float((pred == yte).mean()), conf, len(ytr), len(yte))
