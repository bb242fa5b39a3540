"""Lab 05 · Data mining for CRM (数据挖掘): exercises on the student's own simulated data.

Every expected value is computed with :mod:`crmlab.mining` from the student's database, so each
student has personal answers. Conventions: a basket is the set of product-category codes of one
order in the observation window (table ``orders``/``order_lines``; the hold-out future is only for
scoring predictions); the dates come from the database's ``crmlab_meta`` config.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from crmlab.mining import (association_rules, basket_items, behaviour_features, campaign_uplift, churn_frames,
                           churn_model, funnel, one_hot, roc_auc, rule_metrics, segment, weighted_pipeline)
from crmlab.teaching import ExerciseSet, Number, Table

EXERCISES = ExerciseSet("05", title="Data mining for CRM", title_zh="数据挖掘", n_customers=2000)
EXERCISES.concepts({
    "support": ("support of a rule", "支持度"),
    "confidence": ("confidence of a rule", "置信度"),
    "lift": ("lift of a rule", "提升度"),
    "rules": ("association rules", "关联规则"),
    "segmentation": ("behavioural segmentation by clustering", "行为分组(聚类)"),
    "profile": ("group profile", "客户理解(群体画像)"),
    "auc": ("ROC AUC on the hold-out future", "留出期上的ROC曲线下面积"),
    "churn": ("churn prediction", "客户流失预测"),
    "funnel": ("sales funnel conversion", "销售漏斗转化率"),
    "pipeline": ("weighted pipeline", "加权销售额"),
    "uplift": ("campaign uplift against a control group", "营销增量响应(对照组)"),
    "roi": ("campaign ROI", "营销投资回报率"),
})

#: Features the segmentation exercises use (what, where and when customers buy).
SEGMENT_PREFIXES = ("share_", "channel_", "hour_")
CAMPAIGN = "CMP-D11-2023"


# --- helpers -----------------------------------------------------------------------------------------
def config(data) -> dict:
    """The simulation config stored in the database (observation_end, holdout_end ...)."""
    meta = data.table("crmlab_meta").set_index("key")["value"]
    return json.loads(meta["config"])


def items(data, label: str = "code") -> pd.DataFrame:
    return basket_items(data.table("order_lines"), data.table("products"), data.table("product_categories"),
                        label=label)


def behaviour(data) -> tuple[pd.DataFrame, list[str]]:
    f = behaviour_features(data.table("orders"), items(data, "department"))
    return f, [c for c in f.columns if c.startswith(SEGMENT_PREFIXES)]


def churn_data(data):
    cfg = config(data)
    return churn_frames(data.table("orders"), data.table("holdout_orders"), now=cfg["observation_end"],
                        holdout_end=cfg["holdout_end"])


def _rule(data, a="diapers", c="beer") -> pd.Series:
    return rule_metrics(one_hot(items(data)), a, c)


def _uplift_row(data) -> pd.Series:
    u = campaign_uplift(data.table("campaign_members"), data.table("orders"), data.table("campaigns"))
    return u.set_index("code").loc[CAMPAIGN]


def _funnel(data) -> pd.DataFrame:
    return funnel(data.table("opportunity_stage_history"), data.table("pipeline_stages"),
                  data.table("opportunities")).set_index("code")


# --- q1-q3 beer and diapers (啤酒与尿布) -------------------------------------------------------------
@EXERCISES.exercise(
    "q1", check=Number(rtol=1e-6), concept="support",
    prompt="What is the support (支持度) of the rule diapers → beer: the share of orders (baskets) that hold "
           "both categories? Give a fraction between 0 and 1.",
    prompt_zh="规则 尿布 → 啤酒 的支持度是多少?即同时包含这两个品类的订单(购物篮)占全部订单的比例。")
def q1(data):
    return float(_rule(data).support)


@q1.mistake("per_line", en="You divided by order lines; support is a share of orders (baskets).",
            zh="你除以了订单明细行数;支持度是占订单(购物篮)数的比例。")
def _(data):
    r = _rule(data)
    return float(r.support * r.n_baskets / len(data.table("order_lines")))


@q1.mistake("count", en="You gave a count of orders; support is a share (count ÷ number of orders).",
            zh="你给出的是订单数;支持度是比例(订单数 ÷ 订单总数)。")
def _(data):
    r = _rule(data)
    return float(round(r.support * r.n_baskets))


@EXERCISES.exercise(
    "q2", check=Number(rtol=1e-6), concept="confidence",
    prompt="What is the confidence (置信度) of diapers → beer: of the orders with diapers, what share also hold beer?",
    prompt_zh="规则 尿布 → 啤酒 的置信度是多少?即含尿布的订单中同时含啤酒的比例。")
def q2(data):
    return float(_rule(data).confidence)


@q2.mistake("reversed", en="You computed beer → diapers: confidence divides by the support of the antecedent "
            "(前项, here diapers).", zh="你算的是 啤酒 → 尿布;置信度要除以前项(这里是尿布)的支持度。")
def _(data):
    return float(_rule(data, "beer", "diapers").confidence)


@q2.mistake("support", en="You gave the support of the pair; confidence is support(A and B) ÷ support(A).",
            zh="你给出的是支持度;置信度 = 支持度(A∪B) ÷ 支持度(A)。")
def _(data):
    return float(_rule(data).support)


@EXERCISES.exercise(
    "q3", check=Number(rtol=1e-6), concept="lift",
    prompt="What is the lift (提升度) of diapers → beer? (Lift > 1 means diapers make beer more likely than usual.)",
    prompt_zh="规则 尿布 → 啤酒 的提升度是多少?(提升度 > 1 表示买尿布使买啤酒的可能性高于平常。)")
def q3(data):
    return float(_rule(data).lift)


@q3.mistake("confidence", en="You gave the confidence; lift divides it by the support of the consequent (后项).",
            zh="你给出的是置信度;提升度还要除以后项的支持度。")
def _(data):
    return float(_rule(data).confidence)


@q3.mistake("by_antecedent", en="You divided the confidence by the support of the antecedent; divide by the "
            "consequent's (beer's) support.", zh="你用置信度除以了前项的支持度;应除以后项(啤酒)的支持度。")
def _(data):
    r = _rule(data)
    return float(r.confidence / r.antecedent_support)


# --- q4 the rules table ---------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q4", check=Table(key=["antecedent", "consequent"], columns=["support", "confidence", "lift"], rtol=1e-6),
    concept="rules",
    prompt="List the 6 association rules with the highest lift among pairs of categories with support ≥ 0.01 "
           "(FP-growth, `crmlab.mining.association_rules(..., min_support=0.01)`): a DataFrame with "
           "`antecedent`, `consequent`, `support`, `confidence`, `lift`.",
    prompt_zh="列出支持度 ≥ 0.01 的品类对中提升度最高的 6 条关联规则,DataFrame 含 antecedent、consequent、"
              "support、confidence、lift 五列。")
def q4(data):
    r = association_rules(items(data), min_support=0.01, max_len=2)
    return r.head(6)[["antecedent", "consequent", "support", "confidence", "lift"]].reset_index(drop=True)


@q4.mistake("by_confidence", en="You ranked the rules by confidence; the question ranks by lift.",
            zh="你按置信度排序了;题目要求按提升度排序。")
def _(data):
    r = association_rules(items(data), min_support=0.01, max_len=2, sort_by="confidence")
    return r.head(6)[["antecedent", "consequent", "support", "confidence", "lift"]].reset_index(drop=True)


# --- q5-q6 segments (行为分组) -----------------------------------------------------------------------
@EXERCISES.exercise(
    "q5", check=Number(atol=0.5), concept="segmentation",
    prompt="Segment the customers with `crmlab.mining.segment` (k-means, k = 4, default settings) on the "
           "behaviour features whose names start with share_, channel_ or hour_ "
           "(`behaviour_features` with items labelled by department). How many customers are in the largest group?",
    prompt_zh="用 crmlab.mining.segment(k均值,k = 4,默认设置)按以 share_、channel_、hour_ 开头的行为特征对客户分组。"
              "最大的一组有多少客户?")
def q5(data):
    f, feats = behaviour(data)
    return int(segment(f, feats, k=4).labels.value_counts().max())


@q5.mistake("k3", en="You used k = 3; the question asks for 4 groups (the silhouette peaks there).",
            zh="你用了 k = 3;题目要求分 4 组(轮廓系数在此最高)。")
def _(data):
    f, feats = behaviour(data)
    return int(segment(f, feats, k=3).labels.value_counts().max())


@q5.mistake("rfm_only", en="You clustered on recency, frequency and money only; use the what/where/when "
            "features (share_, channel_, hour_).", zh="你只用了RFM特征;应使用 share_、channel_、hour_ 行为特征。")
def _(data):
    f, _ = behaviour(data)
    return int(segment(f, ["recency_days", "frequency", "monetary"], k=4).labels.value_counts().max())


@EXERCISES.exercise(
    "q6", check=Table(key=["segment"], columns=["n", "total_spend"], rtol=1e-6), concept="profile",
    prompt="Profile the four groups of q5 (客户理解): a DataFrame with `segment`, `n` (customers) and "
           "`total_spend` (the group's mean total spend in yuan). `SegmentResult.profile()` helps.",
    prompt_zh="为第5题的四个分组做群体画像:DataFrame 含 segment、n(客户数)和 total_spend(组内人均总消费,元)。")
def q6(data):
    f, feats = behaviour(data)
    s = segment(f, feats, k=4)
    return s.profile(["total_spend"])[["segment", "n", "total_spend"]]


@q6.mistake("sum", en="You summed total spend per group; the profile uses the mean per customer.",
            zh="你对各组总消费求和了;群体画像用的是人均值。")
def _(data):
    f, feats = behaviour(data)
    d = segment(f, feats, k=4).data
    g = d.groupby("segment")
    return pd.DataFrame({"segment": g.size().index, "n": g.size().to_numpy(), "total_spend": g["total_spend"].sum().to_numpy()})


# --- q7-q8 churn on the hold-out future ---------------------------------------------------------------
@EXERCISES.exercise(
    "q7", check=Number(rtol=1e-4), concept="auc",
    prompt="Build the churn frames with `churn_frames(orders, holdout_orders, now=observation_end, "
           "holdout_end=holdout_end)`. What is the ROC AUC of recency alone (days since the last order) "
           "for predicting churn in the hold-out future?",
    prompt_zh="用 churn_frames 构造流失数据。仅用最近一次购买距今天数预测留出期流失,ROC AUC 是多少?")
def q7(data):
    _, test = churn_data(data)
    return roc_auc(test["churned"], test["recency_days"])


@q7.mistake("sign", en="Your AUC is below 0.5: a longer silence means *more* churn, so score with +recency.",
            zh="你的AUC低于0.5:距上次购买越久越可能流失,应以正的最近天数作为得分。")
def _(data):
    _, test = churn_data(data)
    return roc_auc(test["churned"], -test["recency_days"])


@EXERCISES.exercise(
    "q8", check=Number(rtol=1e-3), concept="churn",
    prompt="Fit `churn_model(train, test)` (logistic regression on recency, frequency, tenure and gap ratio, "
           "trained in the observation window). What is its ROC AUC on the hold-out future?",
    prompt_zh="拟合 churn_model(train, test)(在观察期内训练的逻辑回归)。它在留出期上的 ROC AUC 是多少?")
def q8(data):
    train, test = churn_data(data)
    return float(churn_model(train, test).auc["logit"])


@q8.mistake("in_sample", en="You scored the model on its own training data; score it on the hold-out future (test).",
            zh="你在训练数据上评估了模型;应在留出期(test)上评估。")
def _(data):
    train, _ = churn_data(data)
    return float(churn_model(train).auc["logit"])


# --- q9-q10 the sales funnel (销售漏斗) ----------------------------------------------------------------
@EXERCISES.exercise(
    "q9", check=Number(atol=1e-4), concept="funnel",
    prompt="What share of the opportunities that have left the middle of the funnel (漏斗中部) moved on to the "
           "bottom (漏斗底部)? Leave out the opportunities still open in the middle stage.",
    prompt_zh="离开漏斗中部的销售机会中,有多少比例进入了漏斗底部?不计仍停留在中部的未结机会。")
def q9(data):
    return float(_funnel(data).loc["middle", "conversion"])


@q9.mistake("censored", en="You divided by every opportunity that reached the middle, including those still open "
            "there: they have not had their chance yet.", zh="你的分母包括了仍停留在中部的未结机会,它们还没有结果。")
def _(data):
    f = _funnel(data)
    return float(f.loc["middle", "advanced"] / f.loc["middle", "reached"])


@EXERCISES.exercise(
    "q10", check=Number(rtol=1e-6, atol=0.01), concept="pipeline",
    prompt="What is the weighted pipeline (加权销售额) in yuan: Σ over open opportunities of amount × the stage's "
           "win probability (pipeline_stages.probability, in %)?",
    prompt_zh="加权销售额是多少元?即所有未结销售机会的 金额 × 所在阶段的赢单概率(%)之和。")
def q10(data):
    return float(weighted_pipeline(data.table("opportunities"), data.table("pipeline_stages"))["weighted"].sum())


@q10.mistake("unweighted", en="You summed the open amounts without weighting by the stage probability.",
            zh="你直接加总了未结机会的金额,没有乘以阶段赢单概率。")
def _(data):
    o = data.table("opportunities")
    return float(o.loc[o["status"] == "open", "amount"].sum())


# --- q11-q12 campaign uplift and ROI ------------------------------------------------------------------
@EXERCISES.exercise(
    "q11", check=Number(atol=1e-6), concept="uplift",
    prompt=f"What is the uplift of campaign {CAMPAIGN}: response rate of the treatment group minus that of the "
           "control group (a fraction)?",
    prompt_zh=f"营销活动 {CAMPAIGN} 的增量响应率是多少?即实验组响应率减去对照组响应率。")
def q11(data):
    return float(_uplift_row(data).uplift)


@q11.mistake("treated_only", en="You gave the treatment group's response rate; subtract the control group's — "
             "some would have bought anyway.", zh="你给出的是实验组响应率;还要减去对照组响应率——有些客户本来就会购买。")
def _(data):
    return float(_uplift_row(data).response_treatment)


@EXERCISES.exercise(
    "q12", check=Number(rtol=1e-4), concept="roi",
    prompt=f"What is the ROI of campaign {CAMPAIGN}: (incremental revenue − cost) / cost, where incremental "
           "revenue = (revenue per treated member − revenue per control member) × treated members, revenue = "
           "amount of each member's response order, cost = the campaign's actual_cost?",
    prompt_zh=f"营销活动 {CAMPAIGN} 的投资回报率是多少?ROI = (增量收入 − 成本) / 成本。")
def q12(data):
    return float(_uplift_row(data).roi)


@q12.mistake("gross", en="You credited the campaign with all revenue of treated responders; only the increment "
             "over the control group is caused by the campaign.", zh="你把实验组响应者的全部收入都算给了活动;"
             "只有相对对照组的增量才是活动带来的。")
def _(data):
    return float(_uplift_row(data).roi_gross)


__all__ = ["EXERCISES"]
_ = np
