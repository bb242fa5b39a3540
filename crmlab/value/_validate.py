"""Input checks shared by the value functions: every failure is a DataError naming the column."""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from crmlab.errors import DataError


def frame(data, columns: Iterable[str] = (), name: str = "data") -> pd.DataFrame:
    """Return ``data`` as a DataFrame after checking it is non-empty and has ``columns``."""
    if not isinstance(data, pd.DataFrame):
        raise DataError(name, f"expected a pandas DataFrame, got {type(data).__name__}", key="value.not_frame",
                        got=type(data).__name__)
    columns = [c for c in columns if c is not None]
    missing = [c for c in columns if c not in data.columns]
    if missing:
        have = ", ".join(map(str, data.columns[:12]))
        raise DataError(missing[0], f"missing column (the frame has: {have})", key="value.missing_column", have=have)
    if len(data) == 0:
        raise DataError(columns[0] if columns else name, "the frame is empty: there is nothing to compute",
                        key="value.empty")
    return data


def numeric(data: pd.DataFrame, column: str, *, nonneg: bool = False, money: bool = False) -> np.ndarray:
    """The column as a float array; non-numeric, missing or (optionally) negative values are refused."""
    s = data[column]
    if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
        bad = s[pd.to_numeric(s, errors="coerce").isna() & s.notna()]
        example = f", e.g. {bad.iloc[0]!r}" if len(bad) else ""
        raise DataError(column, f"must be numeric{example}", key="value.not_numeric", example=example)
    v = s.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(v).any():
        raise DataError(column, f"has {int(np.isnan(v).sum())} missing value(s)", key="value.missing_values",
                        n=int(np.isnan(v).sum()))
    if (nonneg or money) and (v < 0).any():
        i = int(np.argmax(v < 0))
        what = "money cannot be negative" if money else "must not be negative"
        raise DataError(column, f"{what}: row {data.index[i]!r} has {v[i]:g}",
                        key="value.negative_money" if money else "value.negative", row=repr(data.index[i]),
                        value=f"{v[i]:g}")
    return v


def values(x, name: str, *, nonneg: bool = False, money: bool = False) -> np.ndarray:
    """A 1-d float array from a scalar, list, array or Series, with the same checks as :func:`numeric`."""
    if isinstance(x, pd.Series):
        x = x.to_numpy()
    try:
        v = np.atleast_1d(np.asarray(x, dtype=float))
    except (TypeError, ValueError):
        raise DataError(name, f"must be numeric, got {x!r}") from None
    if v.size == 0:
        raise DataError(name, "is empty: there is nothing to compute")
    if np.isnan(v).any():
        raise DataError(name, "has missing values")
    if (nonneg or money) and (v < 0).any():
        what = "money cannot be negative" if money else "must not be negative"
        raise DataError(name, f"{what}: got {v[v < 0][0]:g}")
    return v


def rate(r, name: str = "r") -> float:
    """A discount rate: a number greater than −1 (r ≤ −1 makes (1 + r)^t zero or negative)."""
    try:
        r = float(r)
    except (TypeError, ValueError):
        raise DataError(name, f"must be a number, got {r!r}") from None
    if not np.isfinite(r) or r <= -1:
        raise DataError(name, f"a discount rate must be greater than -1, got {r:g}", key="value.bad_rate",
                        value=f"{r:g}")
    return r


def probability(p, name: str, *, open_right: bool = False) -> float:
    try:
        p = float(p)
    except (TypeError, ValueError):
        raise DataError(name, f"must be a number between 0 and 1, got {p!r}") from None
    if not (0 <= p <= 1) or (open_right and p >= 1):
        raise DataError(name, f"must be between 0 and 1{' (below 1)' if open_right else ''}, got {p:g}")
    return p


def times(data: pd.DataFrame, column: str) -> pd.Series:
    """A datetime column (strings are parsed); unparseable values are refused."""
    s = data[column]
    if not pd.api.types.is_datetime64_any_dtype(s):
        try:
            s = pd.to_datetime(s)
        except (TypeError, ValueError) as exc:
            raise DataError(column, f"must hold dates/times ({exc})") from None
    if s.isna().any():
        raise DataError(column, f"has {int(s.isna().sum())} missing timestamp(s)")
    return s


def codes(ids) -> tuple[np.ndarray, np.ndarray]:
    """(codes, uniques) with uniques sorted: like ``pd.factorize(sort=True)``, but for compact integer
    ids (the usual customer_id) a bincount replaces hashing, which is several times faster."""
    ids = np.asarray(ids)
    if ids.dtype.kind in "iu" and ids.size:
        lo, hi = int(ids.min()), int(ids.max())
        if hi - lo <= 4 * ids.size + 1_000_000:
            present = np.bincount(ids - lo, minlength=hi - lo + 1) > 0
            lookup = np.cumsum(present) - 1
            return lookup[ids - lo], np.flatnonzero(present) + lo
    c, u = pd.factorize(ids, sort=True)
    return c, np.asarray(u)
