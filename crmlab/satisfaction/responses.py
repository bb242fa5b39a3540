"""Survey answers as analysis-ready DataFrames, and the checks every model runs on them.

The database stores one row per answer (``survey_answers``); models want one row per respondent
and one column per item (wide form, 宽表) or a long table with the item's construct and facet.

>>> import pandas as pd
>>> wide = pd.DataFrame({"sat1": [7, 9], "sat2": [8, 11]})
>>> check_scale(wide, ["sat1", "sat2"], (1, 10))
Traceback (most recent call last):
...
crmlab.errors.DataError: sat2: 1 answer(s) outside the scale 1-10 (e.g. 11)
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from crmlab.errors import DataError

_TABLES = ("survey_instruments", "survey_items", "survey_responses", "survey_answers")


def _tables(data) -> dict[str, pd.DataFrame]:
    """The four survey tables from a Database, a Lab data handle, or a mapping of DataFrames."""
    if isinstance(data, Mapping):
        missing = [t for t in _TABLES if t not in data]
        if missing:
            raise DataError(missing[0], "table missing from the mapping of survey tables")
        return {t: data[t] for t in _TABLES}
    if hasattr(data, "table") and not hasattr(data, "engine"):        # a lab's data handle
        return {t: data.table(t) for t in _TABLES}
    from crmlab.db import read_table

    return {t: read_table(data, t) for t in _TABLES}


def survey_items(data, instrument: str) -> pd.DataFrame:
    """The items of one instrument (``csi``, ``servqual``, ``kano``, ``nps``) with construct and facet."""
    t = _tables(data)
    inst = t["survey_instruments"]
    row = inst[inst["code"] == instrument]
    if row.empty:
        raise DataError("instrument", f"no survey instrument {instrument!r}; have {sorted(inst['code'])}")
    items = t["survey_items"]
    out = items[items["instrument_id"] == int(row["instrument_id"].iloc[0])].copy()
    out["scale_min"] = int(row["scale_min"].iloc[0])
    out["scale_max"] = int(row["scale_max"].iloc[0])
    return out.reset_index(drop=True)


def survey_long(data, instrument: str) -> pd.DataFrame:
    """One row per answer: response_id, customer_id, item, construct, facet, value."""
    t = _tables(data)
    items = survey_items(t, instrument)
    ans = t["survey_answers"]
    ans = ans[ans["item_id"].isin(items["item_id"])]
    resp = t["survey_responses"][["response_id", "customer_id"]]
    out = ans.merge(items[["item_id", "code", "construct", "facet"]], on="item_id").merge(resp, on="response_id")
    out = out.rename(columns={"code": "item"})
    return out[["response_id", "customer_id", "item", "construct", "facet", "value"]].sort_values(
        ["response_id", "item"]).reset_index(drop=True)


def survey_wide(data, instrument: str) -> pd.DataFrame:
    """One row per respondent (index ``response_id``), ``customer_id`` and one column per item code."""
    t = _tables(data)
    items = survey_items(t, instrument)
    long = survey_long(t, instrument)
    wide = long.pivot(index="response_id", columns="item", values="value")
    wide = wide[[c for c in items["code"] if c in wide.columns]]
    cust = long.drop_duplicates("response_id").set_index("response_id")["customer_id"]
    wide.insert(0, "customer_id", cust.loc[wide.index].to_numpy())
    wide.columns.name = None
    return wide


def check_scale(data: pd.DataFrame, items: Sequence[str], scale: tuple[int, int]) -> pd.DataFrame:
    """Raise :class:`DataError` naming the first item that is missing, blank, not a whole number or
    outside ``scale`` (inclusive); return the item columns as floats otherwise."""
    lo, hi = scale
    for item in items:
        if item not in data.columns:
            raise DataError(item, "item missing from the answers (no such column)")
    block = data[list(items)]
    for item in items:
        col = pd.to_numeric(block[item], errors="coerce")
        bad_text = col.isna() & block[item].notna()
        if bad_text.any():
            raise DataError(item, f"answer {block[item][bad_text].iloc[0]!r} is not a number")
        if col.isna().any():
            raise DataError(item, f"{int(col.isna().sum())} missing answer(s)")
        v = col.to_numpy(float)
        out = (v < lo) | (v > hi)
        if out.any():
            raise DataError(item, f"{int(out.sum())} answer(s) outside the scale {lo}-{hi} (e.g. {v[out][0]:g})")
        if (v != np.round(v)).any():
            raise DataError(item, f"answers must be whole scale points, got {v[v != np.round(v)][0]:g}")
    return block.astype(float)
