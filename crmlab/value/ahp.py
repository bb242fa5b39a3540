"""Analytic Hierarchy Process (层次分析法, AHP): indicator weights from a pairwise judgement matrix.

A judgement matrix A holds a_ij ≈ w_i / w_j (how much more important indicator i is than j, on
Saaty's 1–9 scale), with a_ii = 1 and a_ji = 1/a_ij (positive reciprocal, 正互反矩阵).

* Eigenvector method (特征向量法): A·w = λmax·w, w normalised to sum 1.
* Simple-sum method (简单求和法, seed 002): normalise each column, sum each row, normalise.
* Consistency: CI = (λmax − n)/(n − 1), CR = CI/RI with Saaty's random index RI; accept when
  CR < 0.1. A consistent matrix (a_ij = w_i/w_j exactly) has A·w = n·w, so λmax = n and CI = 0.

>>> res = ahp([[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]])
>>> [round(x, 4) for x in res.weights], round(res.lambda_max, 4), round(res.cr, 4)
([0.637, 0.2583, 0.1047], 3.0385, 0.0332)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab.errors import DataError

__all__ = ["ahp", "AHPResult", "RANDOM_INDEX", "matrix_from_weights", "matrix_from_judgements"]

#: Saaty's random consistency index RI for n = 1..10 (Saaty 1980).
RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}


@dataclass(frozen=True)
class AHPResult:
    """Weights (a Series summing to 1), λmax, CI, RI, CR and whether CR < 0.1."""

    weights: pd.Series
    lambda_max: float
    ci: float
    ri: float
    cr: float
    method: str

    @property
    def consistent(self) -> bool:
        """CR < 0.1: the judgements are acceptably consistent (一致性检验通过)."""
        return self.cr < 0.1

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"weight": self.weights})

    def __repr__(self) -> str:
        w = ", ".join(f"{k}={x:.4f}" for k, x in self.weights.items())
        return (f"AHPResult({self.method}: {w}; λmax={self.lambda_max:.4f}, CI={self.ci:.4f}, "
                f"CR={self.cr:.4f}{'' if self.consistent else ' ≥ 0.1: revise the judgements'})")


def _check(matrix, labels=None, tol=1e-6):
    if isinstance(matrix, pd.DataFrame):
        labels = list(matrix.index) if labels is None else labels
        matrix = matrix.to_numpy()
    try:
        A = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError):
        raise DataError("matrix", "must hold numbers only") from None
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise DataError("matrix", f"must be a non-empty square matrix, got shape {A.shape}")
    n = A.shape[0]
    if n > 10:
        raise DataError("matrix", f"Saaty's RI table covers n ≤ 10 indicators, got {n}")
    labels = list(labels) if labels is not None else [f"c{i + 1}" for i in range(n)]
    if len(labels) != n:
        raise DataError("labels", f"need {n} labels, got {len(labels)}")
    for i in range(n):
        for j in range(n):
            cell = f"matrix[{labels[i]}, {labels[j]}]"
            if not np.isfinite(A[i, j]) or A[i, j] <= 0:
                raise DataError(cell, f"every judgement must be a positive number, got {A[i, j]:g}")
    for i in range(n):
        if abs(A[i, i] - 1) > tol:
            raise DataError(f"matrix[{labels[i]}, {labels[i]}]", f"the diagonal must be 1, got {A[i, i]:g}")
        for j in range(i + 1, n):
            if abs(A[i, j] * A[j, i] - 1) > 1e-3:
                raise DataError(f"matrix[{labels[j]}, {labels[i]}]",
                                f"must be the reciprocal of matrix[{labels[i]}, {labels[j]}] = {A[i, j]:g}, "
                                f"i.e. {1 / A[i, j]:.4g}, got {A[j, i]:g}")
    return A, labels


def ahp(matrix, labels=None, *, method: str = "eigen") -> AHPResult:
    """Weights and consistency of a positive reciprocal judgement matrix.

    ``method="eigen"`` (principal eigenvector) or ``"sum"`` (simple-sum: ā_ij = a_ij / Σ_k a_kj,
    w̄_i = Σ_j ā_ij, w_i = w̄_i / Σ w̄). λmax is the principal eigenvalue for ``eigen`` and
    mean_i (A·w)_i / w_i for ``sum``. A matrix that is not positive reciprocal is refused with a
    :class:`~crmlab.errors.DataError` naming the cell.

    >>> w = [0.5, 0.3, 0.2]
    >>> r = ahp(matrix_from_weights(w), method="sum")
    >>> [round(x, 12) for x in r.weights], round(r.lambda_max, 12), round(r.ci, 12)
    ([0.5, 0.3, 0.2], 3.0, 0.0)
    """
    A, labels = _check(matrix, labels)
    n = A.shape[0]
    if method == "eigen":
        vals, vecs = np.linalg.eig(A)
        k = int(np.argmax(vals.real))
        w = np.abs(vecs[:, k].real)
        w = w / w.sum()
        lam = float(vals[k].real)
    elif method == "sum":
        w = (A / A.sum(axis=0)).sum(axis=1)
        w = w / w.sum()
        lam = float(np.mean(A @ w / w))
    else:
        raise DataError("method", f"must be 'eigen' or 'sum', got {method!r}")
    ci = (lam - n) / (n - 1) if n > 1 else 0.0
    ci = 0.0 if abs(ci) < 1e-12 else ci
    ri = RANDOM_INDEX[n]
    cr = ci / ri if ri > 0 else 0.0
    return AHPResult(pd.Series(w, index=labels, name="weight"), lam, ci, ri, cr, method)


def matrix_from_weights(weights, labels=None) -> pd.DataFrame:
    """The consistent judgement matrix a_ij = w_i / w_j of a weight vector (for tests and teaching)."""
    w = np.asarray(weights, dtype=float)
    if (w <= 0).any():
        raise DataError("weights", "must all be positive")
    labels = list(labels) if labels is not None else [f"c{i + 1}" for i in range(len(w))]
    return pd.DataFrame(w[:, None] / w[None, :], index=labels, columns=labels)


def matrix_from_judgements(labels, judgements: dict) -> pd.DataFrame:
    """Build a reciprocal matrix from the upper-triangle judgements {(i, j): a_ij}.

    >>> m = matrix_from_judgements(["profit", "credit"], {("profit", "credit"): 3})
    >>> m.loc["credit", "profit"].round(4)
    np.float64(0.3333)
    """
    labels = list(labels)
    A = pd.DataFrame(np.eye(len(labels)), index=labels, columns=labels)
    for (i, j), a in judgements.items():
        if i not in labels or j not in labels:
            raise DataError(f"matrix[{i}, {j}]", f"unknown indicator; labels are {labels}")
        a = float(a)
        if a <= 0:
            raise DataError(f"matrix[{i}, {j}]", f"every judgement must be a positive number, got {a:g}")
        A.loc[i, j] = a
        A.loc[j, i] = 1.0 / a
    return A
