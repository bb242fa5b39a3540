"""Data mining for CRM (数据挖掘, course module M5): pure functions over DataFrames.

* market baskets and association rules (购物篮分析, 关联规则): :mod:`.baskets`, :mod:`.association`
* behavioural segmentation (行为分组), profiles, cross-group and difference analysis: :mod:`.segment`
* churn and campaign-response prediction (流失预测, 响应预测): :mod:`.churn`, :mod:`.response`
  (shared: :mod:`.features`, :mod:`.classify`, :mod:`.evaluate`)
* the sales funnel (销售漏斗): :mod:`.funnel`;  campaign uplift and ROI: :mod:`.uplift`
* pictures: :mod:`.plots`;  widgets: :mod:`.widgets`
"""
from crmlab.mining.association import association_rules, frequent_itemsets, rule_metrics
from crmlab.mining.baskets import as_one_hot, basket_items, one_hot
from crmlab.mining.churn import churn_frames, churn_model
from crmlab.mining.classify import ClassifierResult
from crmlab.mining.evaluate import confusion, decile_table, roc_auc
from crmlab.mining.features import (behaviour_features, category_shares, channel_shares, customer_features,
                                    hour_profile)
from crmlab.mining.funnel import funnel, sales_forecast, weighted_pipeline
from crmlab.mining.response import response_frames, response_model
from crmlab.mining.segment import choose_k, cross_group, difference_analysis, profile, segment
from crmlab.mining.uplift import campaign_uplift

__all__ = [
    "association_rules", "frequent_itemsets", "rule_metrics", "as_one_hot", "basket_items", "one_hot",
    "churn_frames", "churn_model", "ClassifierResult", "confusion", "decile_table", "roc_auc",
    "category_shares", "customer_features", "channel_shares", "hour_profile", "behaviour_features", "funnel", "sales_forecast", "weighted_pipeline",
    "response_frames", "response_model", "choose_k", "cross_group", "difference_analysis", "profile",
    "segment", "campaign_uplift",
]
