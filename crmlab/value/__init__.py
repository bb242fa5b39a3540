"""crmlab.value: customer value, lifecycle and grading (course modules M2 and M3).

Pure functions over DataFrames, one file per model:

* M2 value: :mod:`~crmlab.value.clv` (CLV, retention CLV, net profit, relationship value,
  historical/current/potential value), :mod:`~crmlab.value.bgnbd` (BG/NBD + Gamma-Gamma
  predictive CLV, hold-out scoring, CDNOW), :mod:`~crmlab.value.lifecycle`,
  :mod:`~crmlab.value.delivered`, :mod:`~crmlab.value.gale`, :mod:`~crmlab.value.kpi`.
* M3 grading: :mod:`~crmlab.value.pareto`, :mod:`~crmlab.value.pyramid`, :mod:`~crmlab.value.abc`,
  :mod:`~crmlab.value.rfm`, :mod:`~crmlab.value.kaism`, :mod:`~crmlab.value.ahp`,
  :mod:`~crmlab.value.efficacy`, :mod:`~crmlab.value.credit`, :mod:`~crmlab.value.learned_grading`.
* :mod:`~crmlab.value.plots` (seaborn) and :mod:`~crmlab.value.widgets` (ipywidgets shells).

>>> from crmlab.value import clv
>>> round(clv([100, 100, 100], r=0.10), 3)
248.685
"""
from __future__ import annotations

from crmlab.value.abc import abc
from crmlab.value.ahp import RANDOM_INDEX, ahp, matrix_from_judgements, matrix_from_weights
from crmlab.value.bgnbd import (
    fit_bgnbd, fit_gamma_gamma, holdout_from_orders, load_cdnow, load_cdnow_transactions, predictive_clv,
    score_predictions, summary_data_from_orders,
)
from crmlab.value.clv import (
    clv, clv_components, clv_retention, clv_schedule, current_value, historical_value, net_profit,
    potential_value, relationship_value,
)
from crmlab.value.credit import credit_score, payment_behaviour
from crmlab.value.delivered import delivered_value
from crmlab.value.efficacy import composite_score, efficacy_scores, index_values
from crmlab.value.gale import gale_value
from crmlab.value.kaism import kaism
from crmlab.value.kpi import kpi_tree
from crmlab.value.learned_grading import learn_grading
from crmlab.value.lifecycle import lifecycle_stage, purchase_pattern, stage_agreement
from crmlab.value.pareto import customers_for_share, pareto, top_share
from crmlab.value.pyramid import FOUR_LEVELS, THREE_LEVELS, pyramid, pyramid_summary
from crmlab.value.rfm import rfm, rfm_summary

__all__ = [
    "abc", "ahp", "RANDOM_INDEX", "matrix_from_judgements", "matrix_from_weights", "fit_bgnbd",
    "fit_gamma_gamma", "holdout_from_orders", "load_cdnow", "load_cdnow_transactions", "predictive_clv",
    "score_predictions", "summary_data_from_orders", "clv", "clv_components", "clv_retention",
    "clv_schedule", "current_value", "historical_value", "net_profit", "potential_value",
    "relationship_value", "credit_score", "payment_behaviour", "delivered_value", "composite_score",
    "efficacy_scores", "index_values", "gale_value", "kaism", "kpi_tree", "learn_grading",
    "lifecycle_stage", "purchase_pattern", "stage_agreement", "customers_for_share", "pareto", "top_share",
    "FOUR_LEVELS", "THREE_LEVELS", "pyramid", "pyramid_summary", "rfm", "rfm_summary",
]
