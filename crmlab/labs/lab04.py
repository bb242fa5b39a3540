"""Lab 04 · Satisfaction and loyalty (客户满意度和忠诚度): exercises on the student's own survey data.

Every expected value is computed with :mod:`crmlab.satisfaction` from the student's database (the
four survey instruments csi / servqual / kano / nps, the orders and the planted truth), so each
student has personal answers. Conventions: construct scores are the mean of a construct's items;
"repeat purchases" are purchases (paid / shipped / delivered / returned orders) in the observation
window minus one (0 for a surveyed customer without purchases); the future (``holdout_orders``)
only serves the repurchase exercise.
"""
from __future__ import annotations

import json
import weakref

import numpy as np
import pandas as pd

from crmlab.satisfaction import (acsi_index, compare_with_truth, construct_scores, csd, kano_answers, kano_table,
                                 label_churn_type, loyalty_measures, loyalty_quadrant, nps,
                                 quadrant_shares, retention_rate, satisfaction_index,
                                 satisfaction_repurchase_logit, servqual_gaps, servqual_score, survey_items,
                                 survey_long, survey_wide, churn_type_agreement)
from crmlab.satisfaction.loyalty import purchases
from crmlab.satisfaction.servqual import item_weights_by_dimension
from crmlab.teaching import ExerciseSet, Number, Table

EXERCISES = ExerciseSet("04", title="Satisfaction and loyalty", title_zh="客户满意度和忠诚度", n_customers=2000)
EXERCISES.concepts({
    "csd": ("customer satisfaction degree CSD = Σ E_i·P_i", "顾客满意度"),
    "acsi_index": ("ACSI-style 0-100 satisfaction index", "顾客满意指数"),
    "sem": ("satisfaction index model as a structural equation model", "满意度指数模型(结构方程)"),
    "ccsi": ("Chinese customer satisfaction index model", "中国顾客满意指数模型"),
    "servqual": ("SERVQUAL gap Q = P − E", "服务质量差距"),
    "kano": ("Kano model categories", "卡诺模型"),
    "better_worse": ("Kano satisfaction and dissatisfaction coefficients", "满意系数与不满意系数"),
    "nps": ("Net Promoter Score", "净推荐值"),
    "loyalty_quadrant": ("attitude × repeat purchase loyalty quadrant", "忠诚度四分类"),
    "retention": ("customer retention rate", "顾客保持率"),
    "repurchase": ("satisfaction → repurchase logistic regression", "满意度与再购买的逻辑回归"),
    "churn_type": ("churn types", "客户流失类型"),
})

#: Indicator weights for the CSD exercise (as an AHP of the four level-2 indicators might give them).
CSD_WEIGHTS = {"PQ": 0.3, "PV": 0.2, "SAT": 0.3, "LOY": 0.2}
KANO_FEATURE = "live_stream"

_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _memo(data, key, fn):
    # SEM fits take a moment; the grader asks for the same fit for an exercise and its mistakes
    try:
        store = _cache.setdefault(data, {})
    except TypeError:                                   # not weak-referenceable: no cache
        return fn()
    if key not in store:
        store[key] = fn()
    return store[key]


# --- helpers: the student's data ------------------------------------------------------------------
def config(data) -> dict:
    meta = data.table("crmlab_meta").set_index("key")["value"]
    return json.loads(meta["config"])


def csi(data) -> pd.DataFrame:
    """CSI answers, one row per respondent (``survey_wide(db, "csi")``)."""
    return _memo(data, "csi", lambda: survey_wide(data, "csi"))


def fit(data, model: str):
    return _memo(data, ("fit", model), lambda: satisfaction_index(csi(data), model=model))


def kano_pairs(data) -> pd.DataFrame:
    return kano_answers(survey_long(data, "kano"))


def loyalty_frame(data) -> pd.DataFrame:
    """CSI respondents with their 0–100 LOY and SAT scores and repeat purchases."""
    scores = construct_scores(csi(data), ["SAT", "LOY"])
    m = loyalty_measures(data.table("orders"))[["customer_id", "repeat_purchases"]]
    d = scores.merge(m, on="customer_id", how="left")
    d["repeat_purchases"] = d["repeat_purchases"].fillna(0)
    return d


# --- q1 CSD ----------------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q1", check=Number(rtol=1e-4), concept="csd",
    prompt="Compute the satisfaction degree CSD = Σ E_i·P_i over the indicators perceived quality (PQ), "
           "perceived value (PV), satisfaction (SAT) and loyalty (LOY) of the CSI survey, with weights "
           "E = 0.3, 0.2, 0.3, 0.2 and P_i = the mean answer (1–10) over all items and respondents of that construct.",
    prompt_zh="用CSI问卷的感知质量(PQ)、感知价值(PV)、顾客满意(SAT)、顾客忠诚(LOY)四个指标计算顾客满意度 "
              "CSD = Σ E_i·P_i,权重 E = 0.3、0.2、0.3、0.2,P_i 为该构念全部题项、全部受访者的平均得分(1–10)。")
def q1(data):
    w = csi(data)
    p = {v: float(w[[f"{v.lower()}{i}" for i in (1, 2, 3)]].to_numpy().mean()) for v in CSD_WEIGHTS}
    return csd(p, CSD_WEIGHTS)


@q1.mistake("unweighted", en="You averaged the four indicators; CSD weights each by its E_i.",
            zh="你直接求了四个指标的平均值;CSD 要按权重 E_i 加权。")
def _(data):
    w = csi(data)
    return float(np.mean([w[[f"{v.lower()}{i}" for i in (1, 2, 3)]].to_numpy().mean() for v in CSD_WEIGHTS]))


# --- q2 ACSI index ---------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q2", check=Number(rtol=1e-4), concept="acsi_index",
    prompt="Compute the 0–100 satisfaction index the ACSI way from the items sat1, sat2, sat3 "
           "(equal weights): 100·(weighted mean answer − 1)/(10 − 1).",
    prompt_zh="用 sat1、sat2、sat3 三个题项(等权)按ACSI方法计算0–100的顾客满意指数:100·(加权平均得分 − 1)/(10 − 1)。")
def q2(data):
    return acsi_index(csi(data), ["sat1", "sat2", "sat3"])


@q2.mistake("no_shift", en="The scale starts at 1, not 0: subtract the minimum before dividing by the range.",
            zh="量表从1开始而不是0:先减去最小值,再除以全距。")
def _(data):
    return float(csi(data)[["sat1", "sat2", "sat3"]].to_numpy().mean() * 10)


# --- q3 ACSI path ----------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q3", check=Number(atol=0.01), concept="sem",
    prompt="Fit the ACSI model (`satisfaction_index(..., model='acsi')`). What is the standardised path "
           "coefficient perceived quality → satisfaction (PQ → SAT)?",
    prompt_zh="拟合ACSI模型。感知质量→顾客满意(PQ → SAT)的标准化路径系数是多少?")
def q3(data):
    return fit(data, "acsi").path("SAT", "PQ")


@q3.mistake("raw", en="That is the raw estimate (first loading fixed at 1); give the standardised one.",
            zh="这是未标准化的估计值(首个载荷固定为1);请给出标准化系数。")
def _(data):
    return fit(data, "acsi").path("SAT", "PQ", standardised=False)


# --- q4 SEM vs planted truth -----------------------------------------------------------------------
@EXERCISES.exercise(
    "q4", check=Table(key=["lhs", "rhs"], columns=["error"], atol=0.01), concept="sem",
    prompt="Fit the simulator's own structure (`model='full'`) and compare it with the planted paths "
           "`lab.truth.params['survey']['csi']['paths']`: a DataFrame with columns lhs, rhs, planted, "
           "estimate (standardised) and error = estimate − planted, one row per path.",
    prompt_zh="拟合模拟器自身的结构(`model='full'`),与埋设的真实路径系数比较:给出含 lhs、rhs、planted、"
              "estimate(标准化)和 error = estimate − planted 的表,每条路径一行。")
def q4(data):
    return compare_with_truth(fit(data, "full"), data.truth.params["survey"]["csi"]["paths"])


@q4.mistake("sign", en="error is estimate minus planted, not planted minus estimate.",
            zh="误差是估计值减真实值,不是真实值减估计值。")
def _(data):
    t = q4(data)
    return t.assign(error=-t["error"])


# --- q5 CCSI ---------------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q5", check=Number(atol=0.01), concept="ccsi",
    prompt="The CCSI model has no complaints node. Fit it (`model='ccsi'`): what is its standardised "
           "satisfaction → loyalty path?",
    prompt_zh="CCSI模型没有顾客抱怨节点。拟合它(`model='ccsi'`):顾客满意→顾客忠诚的标准化路径系数是多少?")
def q5(data):
    return fit(data, "ccsi").path("LOY", "SAT")


@q5.mistake("full_model", en="That is the direct path of the full model, which has a complaints node. "
                             "Without it, SAT → LOY also carries the path through complaints.",
            zh="这是含抱怨节点的完整模型的直接路径;去掉抱怨节点后,SAT → LOY 还包含经由抱怨的间接效应。")
def _(data):
    return fit(data, "full").path("LOY", "SAT")


# --- q6, q7 SERVQUAL -------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q6", check=Table(key=["dimension"], columns=["gap"], atol=1e-6), concept="servqual",
    prompt="SERVQUAL: give a DataFrame with columns dimension and gap (Q = P − E: the mean over the "
           "dimension's items of mean perception − mean expectation).",
    prompt_zh="SERVQUAL:给出包含 dimension 和 gap 两列的表(Q = P − E:该维度各题项的感知均值减期望均值,再取平均)。")
def q6(data):
    return servqual_gaps(survey_long(data, "servqual"))[["dimension", "gap"]]


@q6.mistake("e_minus_p", en="The gap is perception minus expectation (P − E): negative when service falls short.",
            zh="差距是感知减期望(P − E):服务不及预期时为负。")
def _(data):
    t = q6(data)
    return t.assign(gap=-t["gap"])


@EXERCISES.exercise(
    "q7", check=Number(rtol=1e-6), concept="servqual",
    prompt="Weighted SERVQUAL score: Σ_d w_d·Q_d with the dimension weights w_d stored in survey_items.weight "
           "(each item holds its share; sum them per dimension, counting each item once, not its E and P rows twice).",
    prompt_zh="加权SERVQUAL得分 Σ_d w_d·Q_d,维度权重来自 survey_items.weight(按维度汇总,每个题项只计一次)。")
def q7(data):
    weights = item_weights_by_dimension(survey_items(data, "servqual"))
    return servqual_score(survey_long(data, "servqual"), weights=weights)["weighted"]


@q7.mistake("unweighted", en="That is the unweighted mean of the five gaps; weight each by its importance.",
            zh="这是五个维度差距的简单平均;请按重要性加权。")
def _(data):
    return servqual_score(survey_long(data, "servqual"))["unweighted"]


# --- q8, q9 Kano -----------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q8", check=Table(key=["feature"], columns=["category"]), concept="kano",
    prompt="Kano: classify every answer pair with the evaluation table and give each feature's most "
           "frequent category (A, O, M, I, R or Q): a DataFrame with columns feature and category.",
    prompt_zh="卡诺模型:用评价表对每对回答分类,给出每个功能出现最多的类别(A、O、M、I、R或Q):含 feature 和 category 两列。")
def q8(data):
    return kano_table(kano_pairs(data))[["feature", "category"]]


@q8.mistake("swapped", en="You swapped the functional and dysfunctional answers: rows of the table are the "
                          "functional answer (if the feature is present).",
            zh="你把正向和反向问题的回答弄反了:评价表的行是正向问题(具备该功能时)的回答。")
def _(data):
    p = kano_pairs(data).rename(columns={"functional": "dysfunctional", "dysfunctional": "functional"})
    return kano_table(p)[["feature", "category"]]


@EXERCISES.exercise(
    "q9", check=Table(key=["feature"], columns=["better", "worse"], atol=1e-6), concept="better_worse",
    prompt="Kano Better and Worse coefficients per feature: Better = (A+O)/(A+O+M+I), "
           "Worse = −(O+M)/(A+O+M+I). Columns feature, better, worse.",
    prompt_zh="每个功能的满意系数 Better = (A+O)/(A+O+M+I) 与不满意系数 Worse = −(O+M)/(A+O+M+I);列 feature、better、worse。")
def q9(data):
    return kano_table(kano_pairs(data))[["feature", "better", "worse"]]


@q9.mistake("worse_sign", en="Worse carries a minus sign: it lies between −1 and 0.",
            zh="不满意系数带负号,取值在 −1 到 0 之间。")
def _(data):
    t = q9(data)
    return t.assign(worse=-t["worse"])


@q9.mistake("all_categories", en="The denominator is A+O+M+I: reverse (R) and questionable (Q) answers are left out.",
            zh="分母是 A+O+M+I:反向(R)和可疑(Q)回答不计入。")
def _(data):
    t = kano_table(kano_pairs(data))
    return pd.DataFrame({"feature": t["feature"], "better": (t["A"] + t["O"]) / t["n"],
                         "worse": -(t["O"] + t["M"]) / t["n"]})


# --- q10 NPS ---------------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q10", check=Number(atol=0.01), concept="nps",
    prompt="Net Promoter Score of the nps survey (item `recommend`, 0–10), in points from −100 to 100.",
    prompt_zh="nps问卷(题项 `recommend`,0–10分)的净推荐值,取值 −100 到 100。")
def q10(data):
    return nps(survey_wide(data, "nps")["recommend"])["nps"]


@q10.mistake("promoters_from_8", en="Promoters answer 9 or 10; 7–8 are passives.",
             zh="推荐者是打9或10分的人;7–8分是被动者。")
def _(data):
    v = survey_wide(data, "nps")["recommend"].to_numpy()
    return float(100 * ((v >= 8).mean() - (v <= 6).mean()))


@q10.mistake("detractors_to_5", en="Detractors answer 0 to 6 (6 included).", zh="贬损者是打0到6分的人(含6分)。")
def _(data):
    v = survey_wide(data, "nps")["recommend"].to_numpy()
    return float(100 * ((v >= 9).mean() - (v <= 5).mean()))


# --- q11 loyalty quadrant --------------------------------------------------------------------------
@EXERCISES.exercise(
    "q11", check=Table(key=["quadrant"], columns=["customers"]), concept="loyalty_quadrant",
    prompt="Loyalty quadrant of the CSI respondents: attitude = their LOY score (mean of loy1–loy3), behaviour = "
           "repeat purchases (purchases − 1 in the observation window; 0 without purchases); 'high' = above the "
           "median. Give columns quadrant (loyal / latent / spurious / none) and customers (count).",
    prompt_zh="CSI受访者的忠诚度四分类:态度 = LOY得分(loy1–loy3平均),行为 = 重复购买次数(观察期购买次数 − 1);"
              "高于中位数为“高”。给出 quadrant(loyal/latent/spurious/none)与 customers(人数)两列。")
def q11(data):
    q = loyalty_quadrant(loyalty_frame(data), attitude="LOY", repeat="repeat_purchases")
    return quadrant_shares(q)[["quadrant", "customers"]]


@q11.mistake("swapped_axes", en="Latent loyalty (潜在忠诚) is high attitude with low repeat purchase, "
                                "spurious (虚伪忠诚) the reverse.",
             zh="潜在忠诚是态度高而重复购买低,虚伪忠诚正好相反。")
def _(data):
    t = q11(data)
    swap = {"latent": "spurious", "spurious": "latent"}
    return t.assign(quadrant=t["quadrant"].map(lambda q: swap.get(q, q)))


# --- q12 retention ---------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q12", check=Number(rtol=1e-6), concept="retention",
    prompt="Quarterly retention rate (顾客保持率) of the last complete quarter before the observation date: "
           "customers who purchased in both that quarter and the one before, divided by those who purchased "
           "in the quarter before.",
    prompt_zh="观察日之前最后一个完整季度的顾客保持率:前一季度与该季度都购买的客户数 ÷ 前一季度购买的客户数。")
def q12(data):
    return float(retention_rate(_complete_quarters(data))["retention_rate"].iloc[-1])


@q12.mistake("churn", en="That is the churn rate (客户流失率) = 1 − retention rate.",
             zh="这是客户流失率 = 1 − 顾客保持率。")
def _(data):
    return 1.0 - q12(data)


def _complete_quarters(data) -> pd.DataFrame:
    end = pd.Timestamp(config(data)["observation_end"])
    last_full = end.to_period("Q")
    if last_full.end_time > end:                  # the observation date falls inside this quarter
        last_full = last_full - 1
    o = data.table("orders")
    return o[o["ordered_at"] <= last_full.end_time]


# --- q13 satisfaction → repurchase -------------------------------------------------------------------
@EXERCISES.exercise(
    "q13", check=Number(rtol=0.01), concept="repurchase",
    prompt="Logistic regression (statsmodels) of repurchase on satisfaction for the CSI respondents: "
           "rebuy = 1 if the customer made a purchase in the hold-out future (holdout_orders), SAT = their "
           "0–100 satisfaction score (100·(mean of sat1–sat3 − 1)/9). What is the coefficient of SAT?",
    prompt_zh="对CSI受访者做再购买对满意度的逻辑回归:rebuy = 留出期(holdout_orders)内是否购买,SAT = 0–100满意度得分。SAT的系数是多少?")
def q13(data):
    d = loyalty_frame(data)
    future = set(purchases(data.table("holdout_orders"))["customer_id"])
    d["rebuy"] = d["customer_id"].isin(future).astype(int)
    return float(satisfaction_repurchase_logit(d, "rebuy", "SAT").params["SAT"])


@q13.mistake("raw_scale", en="Use the 0–100 score, not the 1–10 mean (the coefficient is per score point).",
             zh="请用0–100得分而不是1–10的平均分(系数是每一分的变化)。")
def _(data):
    return q13(data) * 100 / 9


# --- q14 churn types -------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q14", check=Number(rtol=1e-6), concept="churn_type",
    prompt="Label churned customers with `label_churn_type` (defaults; measures from orders and tickets at the "
           "observation date) and compare with the planted `truth_customers.churn_type`: what share of the "
           "customers churned in both is labelled correctly?",
    prompt_zh="用 `label_churn_type`(默认参数,观察日的订单与工单)给流失客户贴流失类型,与埋设的 churn_type 比较:"
              "两者都认为已流失的客户中,类型判断正确的比例是多少?")
def q14(data):
    now = config(data)["observation_end"]
    orders = data.table("orders")
    m = loyalty_measures(orders, data.table("tickets"), now=now)
    labels = label_churn_type(m, orders, now=now)
    return churn_type_agreement(labels, data.truth.customers)[1]
