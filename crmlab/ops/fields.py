"""Field rules: turning what a user typed into a value the database accepts, or a typed error.

Each check raises :class:`crmlab.errors.ValidationError` naming the field and the reason (English
text in ``reason``; ``err.message("zh")`` gives Chinese through the message catalogue).

>>> to_phone("phone", " 138-1234-5678 ")
'13812345678'
>>> to_money("budget", "1200.50")
1200.5
>>> to_money("budget", -1)
Traceback (most recent call last):
...
crmlab.errors.ValidationError: budget: must be 0 or more (money cannot be negative), got -1
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from crmlab.errors import ValidationError
from crmlab.ops.messages import render

#: Chinese mobile (11 digits, 1[3-9]…), optionally +86; or a landline with area code (0xx-xxxxxxx)
PHONE_RE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$|^0\d{2,3}\d{7,8}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")
TS_FORMAT = "%Y-%m-%d %H:%M:%S"


def fail(field: str, key: str, cls=ValidationError, **params):
    """Raise ``cls`` for ``field`` with the catalogue message ``key`` (English reason, zh via i18n)."""
    raise cls(field, render(key, "en", **params), key=key, **params)


def _typename(value) -> str:
    return type(value).__name__


def is_missing(value) -> bool:
    """None, blank text, pandas NA/NaT: "not given". (A float NaN is *not* missing: it is a bad number.)"""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return isinstance(value, np.datetime64) and bool(np.isnat(value))


def to_text(field: str, value, max_len: int = 200) -> str:
    """Trimmed text of at most ``max_len`` characters (no NUL bytes)."""
    if isinstance(value, (bool, bytes, list, dict, tuple, set)) or not isinstance(value, (str, int, float, np.integer)):
        fail(field, "ops.not_text", got=_typename(value))
    text = str(value).strip()
    if "\x00" in text:
        fail(field, "ops.not_text", got="text with a NUL character")
    if len(text) > max_len:
        fail(field, "ops.too_long", max_len=max_len, length=len(text))
    return text


def to_phone(field: str, value) -> str:
    """A Chinese mobile or landline number; spaces and hyphens are dropped."""
    if not isinstance(value, (str, int, np.integer)) or isinstance(value, bool):
        fail(field, "ops.bad_phone", value=value)
    text = re.sub(r"[\s\-()]", "", str(value))
    if len(text) > 20 or not PHONE_RE.match(text):
        fail(field, "ops.bad_phone", value=str(value)[:40])
    return text


def to_email(field: str, value) -> str:
    """An e-mail address (lower-cased), at most 254 characters."""
    if not isinstance(value, str):
        fail(field, "ops.bad_email", value=value)
    text = value.strip().lower()
    if len(text) > 254 or not EMAIL_RE.match(text):
        fail(field, "ops.bad_email", value=value[:60])
    return text


def _number(field: str, value) -> float:
    if isinstance(value, bool) or value is None:
        fail(field, "ops.not_number", value=value)
    if isinstance(value, (int, float, np.integer, np.floating, Decimal)):
        out = float(value)
    elif isinstance(value, str):
        try:
            out = float(Decimal(value.strip().replace(",", "")))
        except (InvalidOperation, ValueError):
            fail(field, "ops.not_number", value=value[:40])
    else:
        fail(field, "ops.not_number", value=_typename(value))
    if not math.isfinite(out):
        fail(field, "ops.not_number", value=value)
    return out


def to_money(field: str, value) -> float:
    """Yuan, ≥ 0, rounded to fen (two decimals)."""
    out = _number(field, value)
    if out < 0:
        fail(field, "ops.negative", value=value)
    if out >= 1e12:
        fail(field, "ops.out_of_range", lo=0, hi="999,999,999,999.99", value=value)
    return round(out, 2)


def to_float(field: str, value, lo=None, hi=None) -> float:
    out = _number(field, value)
    if (lo is not None and out < lo) or (hi is not None and out > hi):
        fail(field, "ops.out_of_range", lo=lo, hi=hi, value=value)
    return out


def to_int(field: str, value, lo=None, hi=None) -> int:
    """A whole number within [lo, hi]."""
    if isinstance(value, bool):
        fail(field, "ops.not_integer", value=value)
    if isinstance(value, (int, np.integer)):
        out = int(value)
    elif isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        out = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,18}\s*", value):
        out = int(value)
    else:
        fail(field, "ops.not_integer", value=value if isinstance(value, (str, int, float)) else _typename(value))
    if lo is None:
        lo = -(2**31)
    if hi is None:
        hi = 2**31 - 1
    if out < lo or out > hi:
        fail(field, "ops.out_of_range", lo=lo, hi=hi, value=out)
    return out


def to_flag(field: str, value) -> int:
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (int, np.integer)) and int(value) in (0, 1):
        return int(value)
    if isinstance(value, str) and value.strip().lower() in ("0", "1", "true", "false", "yes", "no"):
        return int(value.strip().lower() in ("1", "true", "yes"))
    fail(field, "ops.not_flag", value=value if isinstance(value, (str, int, float)) else _typename(value))


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?$")


def to_timestamp(field: str, value) -> dt.datetime:
    """A naive datetime to the second, from 'YYYY-MM-DD[ HH:MM[:SS]]', datetime, date or numpy/pandas time."""
    if isinstance(value, bool):
        fail(field, "ops.bad_date", value=value)
    if isinstance(value, str):
        text = value.strip()
        if not (_DATE_RE.match(text) or _TS_RE.match(text)):
            fail(field, "ops.bad_date", value=value[:40])
        try:
            out = dt.datetime.fromisoformat(text)
        except ValueError:
            fail(field, "ops.bad_date", value=value[:40])
    elif isinstance(value, pd.Timestamp):
        out = value.to_pydatetime()
    elif isinstance(value, dt.datetime):
        out = value
    elif isinstance(value, dt.date):
        out = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, np.datetime64) and not np.isnat(value):
        out = pd.Timestamp(value).to_pydatetime()
    else:
        fail(field, "ops.bad_date", value=value if isinstance(value, (int, float)) else _typename(value))
    if out.tzinfo is not None:
        out = out.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if not 1900 <= out.year <= 2200:
        fail(field, "ops.bad_date", value=str(value)[:40])
    return out.replace(microsecond=0)


def to_date(field: str, value) -> dt.date:
    """A calendar date."""
    return to_timestamp(field, value).date()


def to_enum(field: str, value, options) -> str:
    if not isinstance(value, str) or value.strip() not in options:
        fail(field, "ops.bad_enum", options=", ".join(options),
             value=value[:40] if isinstance(value, str) else value if isinstance(value, (int, float)) else _typename(value))
    return value.strip()


def fmt(value) -> str | None:
    """A value as audit-log text (timestamps in the stored form, floats without noise)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.strftime(TS_FORMAT)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


__all__ = ["fail", "is_missing", "to_text", "to_phone", "to_email", "to_money", "to_float", "to_int",
           "to_flag", "to_timestamp", "to_date", "to_enum", "fmt", "PHONE_RE", "EMAIL_RE"]
