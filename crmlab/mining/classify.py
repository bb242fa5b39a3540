"""Shared machinery of the churn and response models: a logistic regression (statsmodels, with
summary and odds ratios), a shallow decision tree (scikit-learn, drawable), and a one-feature
baseline, all fitted on a training frame and scored on a test frame (the future).

Logistic regression (逻辑回归): log(p / (1 − p)) = β0 + β1·x1 + … ; the odds ratio (优势比) e^βj is
the factor by which the odds change for one more unit of xj.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab.errors import DataError
from crmlab.mining.evaluate import check_binary, confusion, decile_table, roc_auc

__all__ = ["ClassifierResult", "fit_classifier"]


@dataclass
class ClassifierResult:
    """Fitted models and their scores on the test frame.

    ``scores``: one row per test customer with the outcome (``target``), ``p_logit``, ``p_tree`` and
    ``baseline`` (the one-feature score). ``auc``: ROC AUC of each on the test frame.
    """

    target: str
    features: list[str]
    baseline_feature: str
    logit: object
    tree: object
    scores: pd.DataFrame
    auc: dict = field(default_factory=dict)
    threshold: float = 0.5

    def summary(self):
        """The statsmodels summary table of the logistic regression."""
        return self.logit.summary()

    @property
    def odds_ratios(self) -> pd.DataFrame:
        """Coefficient, odds ratio e^β with its 95% CI, p-value, and the odds ratio per standard deviation."""
        params = self.logit.params
        ci = self.logit.conf_int()
        sd = self.logit.model.exog.std(axis=0)
        out = pd.DataFrame({"coef": params, "odds_ratio": np.exp(params), "ci_low": np.exp(ci[0]),
                            "ci_high": np.exp(ci[1]), "p_value": self.logit.pvalues,
                            "odds_ratio_per_sd": np.exp(params * sd)})
        return out.drop(index="const", errors="ignore").rename_axis("feature").reset_index()

    def deciles(self, model: str = "logit", n_bins: int = 10) -> pd.DataFrame:
        """Lift / gain table on the test frame for ``model`` (logit, tree or baseline)."""
        return decile_table(self.scores[self.target], self.scores[self._col(model)], n_bins)

    def confusion(self, threshold: float | None = None, model: str = "logit") -> pd.DataFrame:
        """Confusion matrix on the test frame at ``threshold`` (default: the result's threshold)."""
        t = self.threshold if threshold is None else threshold
        return confusion(self.scores[self.target], self.scores[self._col(model)], t)

    def report(self) -> pd.DataFrame:
        """ROC AUC of the logistic regression, the tree and the baseline, side by side."""
        names = {"logit": "logistic regression", "tree": "decision tree",
                 "baseline": f"baseline ({self.baseline_feature} only)"}
        return pd.DataFrame({"model": [names[k] for k in self.auc], "auc": list(self.auc.values())})

    def _col(self, model: str) -> str:
        cols = {"logit": "p_logit", "tree": "p_tree", "baseline": "baseline"}
        if model not in cols:
            raise DataError("model", f"must be one of {list(cols)}, got {model!r}")
        return cols[model]


def _matrix(df: pd.DataFrame, features: list[str], name: str) -> pd.DataFrame:
    missing = [f for f in features if f not in df.columns]
    if missing:
        raise DataError(missing[0], f"{name} frame has no feature column {missing[0]!r}")
    X = df[features].astype(float)
    if X.isna().any().any():
        bad = X.columns[X.isna().any()][0]
        raise DataError(bad, f"{name} frame has missing values in feature {bad!r}")
    return X


def fit_classifier(train: pd.DataFrame, test: pd.DataFrame | None = None, *, target: str,
                   features: list[str], baseline: str, baseline_sign: float = 1.0, max_depth: int = 3,
                   threshold: float = 0.5, random_state: int = 0, id_col: str = "customer_id") -> ClassifierResult:
    """Fit logit + tree on ``train``; score logit, tree and ``baseline_sign·test[baseline]`` on ``test``."""
    import statsmodels.api as sm
    from sklearn.tree import DecisionTreeClassifier

    if target not in train.columns:
        raise DataError(target, f"training frame has no target column {target!r}")
    test = train if test is None else test
    if target not in test.columns:
        raise DataError(target, f"test frame has no target column {target!r}")
    y = check_binary(train[target], target)
    y_test = check_binary(test[target], f"{target} (test)")
    X = _matrix(train, features, "training")
    X_test = _matrix(test, features, "test")
    if baseline not in test.columns:
        raise DataError(baseline, f"test frame has no baseline column {baseline!r}")
    const = X.std() == 0
    if const.any():
        raise DataError(X.columns[const][0], "is constant in the training frame, so it cannot explain anything")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # convergence chatter; separation is handled below
        try:
            logit = sm.Logit(y, sm.add_constant(X, has_constant="add")).fit(disp=0, maxiter=200)
        except Exception as exc:  # statsmodels raises on perfect separation / singular designs
            raise DataError("features", f"the logistic regression could not be fitted ({exc}); "
                            "a feature may separate the classes perfectly or duplicate another") from exc
    if not np.all(np.isfinite(logit.params)):
        raise DataError("features", "the logistic regression diverged (perfect separation?)")
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=max(5, len(y) // 100),
                                  random_state=random_state).fit(X, y)
    p_logit = np.asarray(logit.predict(sm.add_constant(X_test, has_constant="add")))
    p_tree = tree.predict_proba(X_test)[:, 1]
    base = baseline_sign * test[baseline].astype(float).to_numpy()
    scores = pd.DataFrame({target: y_test, "p_logit": p_logit, "p_tree": p_tree, "baseline": base})
    if id_col in test.columns:
        scores.insert(0, id_col, test[id_col].to_numpy())
    auc = {"logit": roc_auc(y_test, p_logit), "tree": roc_auc(y_test, p_tree),
           "baseline": roc_auc(y_test, base)}
    return ClassifierResult(target, list(features), baseline, logit, tree, scores, auc, threshold)
