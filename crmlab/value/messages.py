"""English and Chinese reasons of crmlab.value's input errors (registered into ``crmlab.i18n``).

The field (column) name is put in front by :meth:`crmlab.errors.CrmlabError.message`.

>>> from crmlab.value.bgnbd import fit_bgnbd
>>> import pandas as pd
>>> try:
...     fit_bgnbd(pd.DataFrame({"frequency": [1], "recency": [2.0]}))
... except Exception as exc:
...     print(exc.message("zh").split(" (")[0])
T: 缺少这一列
"""
from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "value.missing_column": {"en": "missing column (the frame has: {have})", "zh": "缺少这一列 (现有列:{have})"},
    "value.empty": {"en": "the frame is empty: there is nothing to compute", "zh": "数据表为空,无法计算"},
    "value.not_frame": {"en": "expected a pandas DataFrame, got {got}", "zh": "需要 pandas DataFrame,实际是 {got}"},
    "value.not_numeric": {"en": "must be numeric{example}", "zh": "必须是数值{example}"},
    "value.missing_values": {"en": "has {n} missing value(s)", "zh": "有 {n} 个缺失值"},
    "value.negative_money": {"en": "money cannot be negative: row {row} has {value}",
                             "zh": "金额不能为负:第 {row} 行为 {value}"},
    "value.negative": {"en": "must not be negative: row {row} has {value}", "zh": "不能为负:第 {row} 行为 {value}"},
    "value.bad_rate": {"en": "a discount rate must be greater than -1, got {value}",
                       "zh": "贴现率必须大于 -1,实际是 {value}"},
}


from crmlab import i18n  # noqa: E402 - registered once, on import, into the shared catalogue

i18n.register(MESSAGES)
