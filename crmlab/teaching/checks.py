"""Check kinds: how a student's answer is compared with the expected value.

A check never reveals the expected value: it returns an :class:`Outcome` whose message key (from
the catalogue in ``crmlab.teaching.messages``) says *what* differs (a column, a row key, the
units, the sign) but not the value itself.

>>> Number(rtol=0.01).compare(101.0, 100.0).status
'correct'
>>> Number(rtol=0.01).compare(-100.0, 100.0).key
'check.number_sign'
>>> Choice(["A", "B", "C"]).compare("B", "B").status
'correct'
>>> Text(accept=["data mining", "数据挖掘"]).compare("  Data   Mining ", "数据挖掘").status
'correct'
"""
from __future__ import annotations

import math
import numbers
from decimal import Decimal
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from crmlab.errors import ConfigError


@dataclass
class Outcome:
    """Result of one comparison: ``status`` is "correct", "wrong" or "invalid"."""

    status: str
    key: str | None = None
    fmt: dict = field(default_factory=dict)

    @property
    def correct(self) -> bool:
        return self.status == "correct"


CORRECT = Outcome("correct")


def _typename(x) -> str:
    return type(x).__name__


def _is_unanswered(x) -> bool:
    return x is None or x is Ellipsis


class Check:
    """Base class. Subclasses implement :meth:`compare`; :meth:`to_json` / :meth:`from_json`
    carry an answer through the answers file."""

    kind = "check"

    def compare(self, answer, expected) -> Outcome:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_json(self, answer) -> Any:
        return _jsonable(answer)

    def from_json(self, data) -> Any:
        return data

    def describe(self) -> dict:
        """Parameters worth stating in feedback (tolerances)."""
        return {}


def _jsonable(x):
    if isinstance(x, (np.bool_,)):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    if isinstance(x, np.ndarray):
        return [_jsonable(v) for v in x.tolist()]
    if isinstance(x, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in x]
        return sorted(items, key=str) if isinstance(x, (set, frozenset)) else items
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (pd.Timestamp,)):
        return x.isoformat()
    if isinstance(x, float) and not math.isfinite(x):
        return {"__float__": repr(x)}
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    return {"__repr__": repr(x)[:200]}


def _as_float(x) -> float | None:
    if isinstance(x, (bool, np.bool_)):
        return None
    if isinstance(x, (numbers.Real, Decimal)):
        return float(x)
    if isinstance(x, np.ndarray) and x.size == 1 and np.issubdtype(x.dtype, np.number):
        return float(x.reshape(-1)[0])
    if isinstance(x, pd.Series) and len(x) == 1 and pd.api.types.is_numeric_dtype(x):
        return float(x.iloc[0])
    return None


@dataclass
class Number(Check):
    """A single number, right when ``|answer - expected| <= atol + rtol * |expected|``."""

    rtol: float = 1e-6
    atol: float = 0.0
    kind = "number"

    def __post_init__(self):
        if self.rtol < 0 or self.atol < 0:
            raise ConfigError("rtol/atol", "tolerances must be non-negative")

    def close(self, a: float, e: float) -> bool:
        return abs(a - e) <= self.atol + self.rtol * abs(e)

    def compare(self, answer, expected) -> Outcome:
        a = _as_float(answer)
        if a is None:
            return Outcome("invalid", "check.not_number", {"type": _typename(answer)})
        if not math.isfinite(a):
            return Outcome("invalid", "check.not_finite")
        e = float(expected)
        if self.close(a, e):
            return CORRECT
        if e != 0 and self.close(-a, e):
            return Outcome("wrong", "check.number_sign")
        if a != 0 and e != 0:
            for factor in (100, 1000, 10_000, 52, 12, 10):
                for f in (factor, 1 / factor):
                    if self.close(a / f, e):
                        return Outcome("wrong", "check.number_scale", {"factor": factor})
        return Outcome("wrong", "check.number_far")

    def to_json(self, answer):
        a = _as_float(answer)
        return _jsonable(answer) if a is None else a

    def describe(self) -> dict:
        return {"rtol": self.rtol, "atol": self.atol}


def _frame(x) -> pd.DataFrame | None:
    if isinstance(x, pd.Series):
        return x.reset_index() if x.index.name is not None else x.to_frame()
    if isinstance(x, pd.DataFrame):
        named = [n for n in x.index.names if n is not None]
        return x.reset_index() if named else x.reset_index(drop=True)
    return None


@dataclass
class Table(Check):
    """A DataFrame compared by content.

    ``columns`` (default: every expected column) must be present; rows are matched on ``key``
    columns, or by sorting every column when ``key`` is None, unless ``ordered=True`` (then
    position matters). Numbers are equal within ``rtol``/``atol``; extra columns are ignored.
    """

    key: Sequence[str] | str | None = None
    rtol: float = 1e-6
    atol: float = 0.0
    ordered: bool = False
    columns: Sequence[str] | None = None
    kind = "table"

    def __post_init__(self):
        if isinstance(self.key, str):
            self.key = [self.key]

    def compare(self, answer, expected) -> Outcome:
        got = _frame(answer)
        if got is None:
            return Outcome("invalid", "check.not_table", {"type": _typename(answer)})
        want = _frame(expected)
        cols = list(self.columns) if self.columns is not None else list(want.columns)
        keys = list(self.key or [])
        for c in keys + cols:
            if c not in got.columns:
                return Outcome("wrong", "check.missing_column", {"column": c})
        if len(got) != len(want):
            return Outcome("wrong", "check.row_count", {"got": len(got), "want": len(want)})
        cols = [c for c in cols if c not in keys]
        if keys:
            if got.duplicated(keys).any():
                return Outcome("wrong", "check.duplicate_keys", {"key": keys})
            gk = got[keys].astype(str).agg("|".join, axis=1)
            wk = want[keys].astype(str).agg("|".join, axis=1)
            absent = wk[~wk.isin(set(gk))]
            if len(absent):
                return Outcome("wrong", "check.missing_keys", {"key": "/".join(keys), "value": absent.iloc[0]})
            if self.ordered and list(gk) != list(wk):
                return Outcome("wrong", "check.order")
            got = got.set_index(gk).loc[list(wk)]
            labels = [f"{'/'.join(keys)} = {v}" for v in wk]
        elif self.ordered:
            labels = list(range(len(want)))
        else:
            got = _sort(got[cols])
            want = _sort(want[cols])
            labels = list(range(len(want)))
        got = got.reset_index(drop=True)
        want = want.reset_index(drop=True)
        for c in cols:
            outcome = self._column(c, got[c], want[c], labels)
            if outcome is not None:
                if self.ordered and not keys and _sorted_equal(self, got[cols], want[cols]):
                    return Outcome("wrong", "check.order")
                return outcome
        return CORRECT

    def _column(self, c, g: pd.Series, w: pd.Series, labels) -> Outcome | None:
        if pd.api.types.is_bool_dtype(w):
            same = g.astype(object).eq(w.astype(object)).to_numpy()
        elif pd.api.types.is_numeric_dtype(w):
            gn = pd.to_numeric(g, errors="coerce")
            if not pd.api.types.is_numeric_dtype(g) and gn.isna().sum() > w.isna().sum():
                return Outcome("wrong", "check.column_type", {"column": c, "want": "type.number"})
            gv, wv = gn.to_numpy(float), w.to_numpy(float)
            same = np.isclose(gv, wv, rtol=self.rtol, atol=self.atol, equal_nan=True)
        elif pd.api.types.is_datetime64_any_dtype(w):
            gd = pd.to_datetime(g, errors="coerce")
            same = (gd.to_numpy() == w.to_numpy()) | (gd.isna().to_numpy() & w.isna().to_numpy())
        else:
            gs, ws = g.astype(str).str.strip(), w.astype(str).str.strip()
            same = (gs.to_numpy() == ws.to_numpy()) | (g.isna().to_numpy() & w.isna().to_numpy())
        if same.all():
            return None
        first = int(np.flatnonzero(~same)[0])
        return Outcome("wrong", "check.cell_differs",
                       {"column": c, "row": labels[first], "count": int((~same).sum())})

    def to_json(self, answer):
        df = _frame(answer)
        if df is None:
            return _jsonable(answer)
        return {"__table__": df.to_json(orient="split", date_format="iso", index=False),
                "dtypes": {str(c): str(t) for c, t in df.dtypes.items()}}

    def from_json(self, data):
        if isinstance(data, dict) and "__table__" in data:
            import io

            df = pd.read_json(io.StringIO(data["__table__"]), orient="split", dtype=False)
            for c, t in data.get("dtypes", {}).items():
                if c in df.columns and t.startswith("datetime64"):
                    df[c] = pd.to_datetime(df[c])
            return df
        return data

    def describe(self) -> dict:
        return {"rtol": self.rtol, "atol": self.atol}


def _sort(df: pd.DataFrame) -> pd.DataFrame:
    if df.empty or not len(df.columns):
        return df.reset_index(drop=True)
    tmp = df.copy()
    order = [c for c in tmp.columns]
    # Sort on a rounded/stringified copy so tiny float noise does not reorder rows.
    keys = pd.DataFrame({i: (tmp[c].round(6) if pd.api.types.is_numeric_dtype(tmp[c]) else tmp[c].astype(str))
                         for i, c in enumerate(order)})
    idx = keys.sort_values(list(keys.columns), kind="mergesort").index
    return tmp.loc[idx].reset_index(drop=True)


def _sorted_equal(check: Table, got, want) -> bool:
    unordered = Table(key=None, rtol=check.rtol, atol=check.atol)
    return unordered.compare(got, want).correct


@dataclass
class Choice(Check):
    """One of ``options`` (or a set of them when ``multi=True``)."""

    options: Sequence = ()
    multi: bool = False
    kind = "choice"

    def _norm(self, x):
        if self.multi:
            if isinstance(x, (str, bytes)) or not hasattr(x, "__iter__"):
                x = [x]
            return frozenset(x)
        return x

    def compare(self, answer, expected) -> Outcome:
        a = self._norm(answer)
        opts = list(self.options)
        bad = [v for v in (a if self.multi else [a]) if opts and v not in opts]
        if not self.multi and isinstance(answer, (list, tuple, set)):
            return Outcome("invalid", "check.choose_one")
        if bad:
            return Outcome("invalid", "check.not_option", {"value": bad[0], "options": opts})
        return CORRECT if a == self._norm(expected) else Outcome("wrong")

    def to_json(self, answer):
        return sorted(map(str, self._norm(answer))) if self.multi and not isinstance(answer, dict) else _jsonable(answer)


def _norm_text(s: str) -> str:
    return "".join(str(s).split()).casefold().rstrip("。.")


@dataclass
class Text(Check):
    """A short text, right when it matches the expected text or any ``accept`` form
    (ignoring case and whitespace)."""

    accept: Sequence[str] = ()
    kind = "text"

    def compare(self, answer, expected) -> Outcome:
        if not isinstance(answer, str):
            return Outcome("invalid", "check.not_text", {"type": _typename(answer)})
        forms = {_norm_text(x) for x in [*self.accept, *([expected] if expected is not None else [])]}
        return CORRECT if _norm_text(answer) in forms else Outcome("wrong")


@dataclass
class Bool(Check):
    """True or False."""

    kind = "bool"

    def compare(self, answer, expected) -> Outcome:
        if not isinstance(answer, (bool, np.bool_)):
            return Outcome("invalid", "check.not_bool", {"type": _typename(answer)})
        return CORRECT if bool(answer) == bool(expected) else Outcome("wrong")


__all__ = ["Outcome", "Check", "Number", "Table", "Choice", "Text", "Bool"]
