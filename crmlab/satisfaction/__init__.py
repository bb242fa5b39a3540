"""Satisfaction and loyalty (客户满意度和忠诚度), course module M4.

One file per model: :mod:`csd` (satisfaction degree), :mod:`index_models` (SCSB / ACSI / CCSI as
SEMs), :mod:`servqual`, :mod:`kano`, :mod:`nps`, :mod:`loyalty` (quadrant, measures, retention,
churn types), :mod:`regression`; :mod:`responses` turns survey tables into DataFrames;
:mod:`plots` and :mod:`widgets` draw.

>>> from crmlab.satisfaction import nps
>>> nps([10, 9, 3, 8])["nps"]
25.0
"""
from __future__ import annotations

from crmlab.satisfaction.csd import csd, satisfaction_level
from crmlab.satisfaction.index_models import (
    MODELS, IndexModelResult, acsi_index, construct_scores, compare_models, compare_with_truth, model_description,
    satisfaction_index,
)
from crmlab.satisfaction.kano import (
    answer_table, better_worse, evaluation_table, kano_answers, kano_category, kano_classify, kano_table,
)
from crmlab.satisfaction.loyalty import (
    churn_type_agreement, cohort_retention, label_churn_type, loyalty_measures, loyalty_quadrant,
    quadrant_shares, retention_rate,
)
from crmlab.satisfaction.nps import nps, nps_group
from crmlab.satisfaction.regression import satisfaction_loyalty_ols, satisfaction_repurchase_logit
from crmlab.satisfaction.responses import check_scale, survey_items, survey_long, survey_wide
from crmlab.satisfaction.servqual import servqual_gaps, servqual_item_gaps, servqual_score

__all__ = [
    "csd", "satisfaction_level", "MODELS", "IndexModelResult", "acsi_index", "construct_scores", "compare_models",
    "compare_with_truth", "model_description", "satisfaction_index", "answer_table", "better_worse",
    "evaluation_table", "kano_answers", "kano_category", "kano_classify", "kano_table",
    "churn_type_agreement", "cohort_retention", "label_churn_type", "loyalty_measures",
    "loyalty_quadrant", "quadrant_shares", "retention_rate", "nps", "nps_group",
    "satisfaction_loyalty_ols", "satisfaction_repurchase_logit", "check_scale", "survey_items",
    "survey_long", "survey_wide", "servqual_gaps", "servqual_item_gaps", "servqual_score",
]
