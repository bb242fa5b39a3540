"""Lab 03 · Customer grading (客户分级): exercises on the student's own data.

Conventions: sales = paid amount (``amount``) and profit = amount − cost of purchase orders (status
paid / shipped / delivered / returned) in the observation window; customers are graded on their
totals over the whole window; the hold-out year (``holdout_orders``) shows whether the grades
hold up. Every formula comes from :mod:`crmlab.value`.
"""
from __future__ import annotations

import importlib

import numpy as np
import pandas as pd

from crmlab.teaching import Choice, ExerciseSet, Number
from crmlab.value.ahp import ahp, matrix_from_judgements
from crmlab.value.credit import credit_score, payment_behaviour
from crmlab.value.efficacy import composite_score, efficacy_scores
from crmlab.value.learned_grading import learn_grading
from crmlab.value.pareto import customers_for_share, top_share
from crmlab.value.pyramid import THREE_LEVELS, pyramid, pyramid_summary
from crmlab.value.rfm import rfm

_abc = importlib.import_module("crmlab.value.abc")

EXERCISES = ExerciseSet("03", title="Customer grading", title_zh="客户分级", n_customers=2000)
EXERCISES.concepts({
    "pareto": ("Pareto / 80-20 rule", "二八法则"),
    "pyramid": ("customer pyramid", "客户金字塔"),
    "abc": ("ABC classification", "ABC分类法"),
    "rfm": ("RFM model", "RFM模型"),
    "ahp": ("analytic hierarchy process", "层次分析法"),
    "consistency": ("consistency ratio CR = CI/RI", "一致性比率"),
    "efficacy": ("efficacy coefficient method and composite score", "功效系数法与综合加权"),
    "credit": ("credit-aware grading", "客户信用与分级"),
    "learned_grading": ("grading by a learned decision tree", "决策树客户分级"),
    "holdout": ("grades vs the hold-out future", "分级与保留期实际"),
})

PURCHASE = ("paid", "shipped", "delivered", "returned")
CRITERIA = ["profit", "frequency", "recency", "punctuality"]


def purchases(orders: pd.DataFrame) -> pd.DataFrame:
    """Purchase orders only, with profit = amount − cost."""
    o = orders[orders["status"].isin(PURCHASE)]
    return o.assign(profit=o["amount"] - o["cost"])


def _cache(data) -> dict:
    return data.__dict__.setdefault("_lab03_cache", {})


def _purch(data, statuses=PURCHASE):
    c = _cache(data)
    key = ("purch", statuses)
    if key not in c:
        o = data.table("orders")
        o = o[o["status"].isin(statuses)]
        c[key] = o.assign(profit=o["amount"] - o["cost"])
    return c[key]


def _end(data):
    return pd.Timestamp(data.truth.params["purchase"]["observation_end"])


def ahp_judgements(seed: int) -> pd.DataFrame:
    """Your personal AHP judgement matrix over the four grading criteria (Saaty 1–9 scale)."""
    rng = np.random.default_rng([int(seed), 3003])
    w = np.sort(rng.dirichlet(np.ones(4) * 2))[::-1]                # profit most important
    scale = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9], dtype=float)
    judg = {}
    for i in range(4):
        for j in range(i + 1, 4):
            ratio = w[i] / w[j] * np.exp(rng.normal(0, 0.25))
            judg[(CRITERIA[i], CRITERIA[j])] = float(scale[np.argmin(np.abs(scale - ratio))]) if ratio >= 1 \
                else 1 / float(scale[np.argmin(np.abs(scale - 1 / ratio))])
    return matrix_from_judgements(CRITERIA, judg)


# --- q1 / q2 Pareto ------------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q1", check=Number(rtol=1e-6), concept="pareto",
    prompt="What share of total sales (paid amount of purchase orders) comes from the top 20 % of buyers "
           "(k = round(0.2 × number of buyers), ranked by sales)?",
    prompt_zh="销售额(购买订单实付金额)最高的前20%购买客户贡献了总销售额的多少比例?")
def q1(data):
    return top_share(_purch(data), 0.2, value="amount")


@q1.mistake("all_orders", en="Count purchase orders only: cancelled and placed-unpaid orders brought no sales.",
            zh="只计购买订单:取消和拍下未付款的订单没有带来销售额。")
def _(data):
    return top_share(data.table("orders"), 0.2, value="amount")


@q1.mistake("gross", en="Sales here are the paid amount (实付金额 `amount`), not the gross amount before discounts.",
            zh="这里的销售额是实付金额 `amount`,不是折扣前的 gross_amount。")
def _(data):
    return top_share(_purch(data), 0.2, value="gross_amount")


@EXERCISES.exercise(
    "q2", check=Number(rtol=1e-9), concept="pareto",
    prompt="What is the smallest share of buyers (top-ranked by profit) that brings at least 80 % of total profit? "
           "Give a share between 0 and 1.",
    prompt_zh="按利润排名,最少多大比例的购买客户贡献了至少80%的总利润?(0到1之间的比例)")
def q2(data):
    p = _purch(data).groupby("customer_id")["profit"].sum().clip(lower=0).rename("profit").reset_index()
    return customers_for_share(p, 0.8, value="profit")


@q2.mistake("sales_not_profit", en="Rank and share by profit (利润), not by sales.", zh="应按利润排名和计算份额,而不是销售额。")
def _(data):
    return customers_for_share(_purch(data), 0.8, value="amount")


# --- q3 pyramid -------------------------------------------------------------------------------------------
def _profit_pyramid(data, value="profit", levels=None):
    g = pyramid(_purch(data), value=value, **({"levels": levels} if levels else {}))
    return g


@EXERCISES.exercise(
    "q3", check=Number(rtol=1e-6), concept="pyramid",
    prompt="Build the four-level customer pyramid by profit (重要 1 %, 次要 19 %, 普通 30 %, 小 50 %; crmlab's "
           "rounding rule). What share of total profit do the 关键客户 (重要 + 次要) bring?",
    prompt_zh="按利润构建四层客户金字塔(重要1%、次要19%、普通30%、小50%)。关键客户(重要+次要)贡献了总利润的多少比例?")
def q3(data):
    s = pyramid_summary(_profit_pyramid(data))
    return float(s.loc[["key", "major"], "value"].sum() / s["value"].sum())


@q3.mistake("by_sales", en="The pyramid ranks customers by profit (利润), not by sales.", zh="客户金字塔按利润排序,而不是销售额。")
def _(data):
    g = _profit_pyramid(data, value="amount")
    s = pyramid_summary(g)
    return float(s.loc[["key", "major"], "value"].sum() / s["value"].sum())


# --- q4 ABC --------------------------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q4", check=Number(atol=0), concept="abc",
    prompt="ABC-classify the buyers by sales (cuts 80 % / 95 %, crmlab's rule). How many are in class A?",
    prompt_zh="按销售额对购买客户做ABC分类(80%/95%)。A类客户有多少?")
def q4(data):
    return int((_abc.abc(_purch(data), value="amount")["abc_class"] == "A").sum())


@q4.mistake("crossing_excluded", en="The customer whose sales cross 80 % still belongs to class A (the share *before* "
            "them is below 80 %).", zh="使累计份额越过80%的那位客户仍属A类(其之前的累计份额低于80%)。")
def _(data):
    return int((_abc.abc(_purch(data), value="amount")["abc_class"] == "A").sum()) - 1


# --- q5 RFM ----------------------------------------------------------------------------------------------------
def _rfm(data, **kw):
    return rfm(_purch(data), at=_end(data), **kw)


@EXERCISES.exercise(
    "q5", check=Number(atol=0), concept="rfm",
    prompt="Score RFM with quintiles at the observation end (recency in days, frequency = purchase orders, "
           "monetary = total sales). How many buyers are 重要价值客户 (R, F and M all 4 or 5)?",
    prompt_zh="在观察期末用五分位数计算RFM(最近购买天数、购买订单数、销售总额)。重要价值客户(R、F、M均为4或5)有多少?")
def q5(data):
    return int((_rfm(data)["segment"] == "champions").sum())


@q5.mistake("recency_reversed", en="A *smaller* recency (more recent) deserves the *higher* R score.",
            zh="最近购买天数越小(越近),R得分应越高。")
def _(data):
    s = _rfm(data)
    R = 6 - s["R"]
    return int(((R >= 4) & (s["F"] >= 4) & (s["M"] >= 4)).sum())


# --- q6 / q7 AHP -----------------------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q6", check=Number(rtol=1e-4), concept="ahp",
    prompt="For your judgement matrix ahp_judgements(lab.seed), what is the eigenvector weight of 'profit'?",
    prompt_zh="对你的判断矩阵 ahp_judgements(lab.seed),'profit' 的特征向量法权重是多少?")
def q6(data):
    return float(ahp(ahp_judgements(data.seed)).weights["profit"])


@q6.mistake("row_not_normalised", en="Normalise the weights so that they sum to 1.", zh="权重需要归一化,使其和为1。")
def _(data):
    A = ahp_judgements(data.seed)
    return float((A / A.sum(axis=0)).sum(axis=1)["profit"])


@EXERCISES.exercise(
    "q7", check=Number(rtol=1e-3), concept="consistency",
    prompt="What is the consistency ratio CR of your judgement matrix (eigenvector method, Saaty's RI)?",
    prompt_zh="你的判断矩阵的一致性比率CR是多少(特征向量法,Saaty的RI)?")
def q7(data):
    return float(ahp(ahp_judgements(data.seed)).cr)


@q7.mistake("ci_not_cr", en="That is CI; CR = CI / RI with RI = 0.90 for n = 4.", zh="这是CI;CR=CI/RI,n=4时RI=0.90。")
def _(data):
    return float(ahp(ahp_judgements(data.seed)).ci)


# --- q8 composite score ----------------------------------------------------------------------------------------
def indicators(data) -> pd.DataFrame:
    """Per buyer: profit, frequency, recency (days) and mean days paid late (for the composite score)."""
    o = _purch(data)
    s = _rfm(data)
    pb = payment_behaviour(o, at=_end(data))
    return pd.DataFrame({"profit": o.groupby("customer_id")["profit"].sum(), "frequency": s["frequency"],
                         "recency": s["recency"], "punctuality": pb["days_late"]})


def _composite(data, directions):
    ind = indicators(data)
    scores = efficacy_scores(ind, directions=directions)
    w = ahp(ahp_judgements(data.seed)).weights
    return composite_score(scores, w.to_dict())


@EXERCISES.exercise(
    "q8", check=Number(atol=0), concept="efficacy",
    prompt="Score each buyer's four indicators with the efficacy coefficient method (60–100; profit and frequency "
           "larger-better, recency and days late smaller-better; observed best/worst), weight them with your AHP "
           "weights of q6. Which customer_id has the highest composite score?",
    prompt_zh="用功效系数法(60–100;利润和频次越大越好,最近天数和逾期天数越小越好)给每位购买客户的四项指标打分,"
              "用q6的AHP权重加权。综合得分最高的是哪位客户(customer_id)?")
def q8(data):
    return int(_composite(data, {"profit": 1, "frequency": 1, "recency": -1, "punctuality": -1}).idxmax())


@q8.mistake("directions", en="Recency and days late are smaller-is-better indicators: give them direction −1.",
            zh="最近购买天数和逾期天数是越小越好的指标,方向应为−1。")
def _(data):
    return int(_composite(data, {"profit": 1, "frequency": 1, "recency": 1, "punctuality": 1}).idxmax())


# --- q9 credit ---------------------------------------------------------------------------------------------------
def _business_credit(data):
    cust = data.table("customers")
    biz = set(cust.loc[cust["customer_type"] == "company", "customer_id"])
    pb = payment_behaviour(_purch(data), at=_end(data))
    pb = pb[pb.index.isin(biz)]
    return credit_score(pb.rename(columns={"max_days_late": "worst_days_late"}), days_late="worst_days_late")


@EXERCISES.exercise(
    "q9", check=Number(atol=0), concept="credit",
    prompt="Among business customers (customer_type 'company'), rank by credit-adjusted value (credit_score with "
           "amount = total sales and days_late = their worst days late). Which customer_id ranks first?",
    prompt_zh="在企业客户中,按信用调整后价值排名(credit_score,amount=销售总额,days_late=最长逾期天数)。排名第一的是哪位客户?")
def q9(data):
    s = _business_credit(data)
    return int(s["credit_adjusted_value"].idxmax())


@q9.mistake("amount_only", en="Ranking by order value alone ignores credit (信用状况): think of 甲 and 乙.",
            zh="只按订单金额排名忽略了信用状况:想想甲和乙的例子。")
def _(data):
    return int(_business_credit(data)["amount"].idxmax())


# --- q10 learned grading ------------------------------------------------------------------------------------------
def _graded(data):
    s = _rfm(data)
    g = _profit_pyramid(data, levels=THREE_LEVELS)
    return s.join(g["level"].astype(str).rename("grade"))


@EXERCISES.exercise(
    "q10", check=Number(atol=1e-9), concept="learned_grading",
    prompt="Grade by a learned rule: label each buyer with their three-level profit pyramid grade, then fit "
           "learn_grading(features=['recency', 'frequency', 'monetary'], label='grade', max_depth=3, test_size=0.3, "
           "seed=0). What is the validation accuracy?",
    prompt_zh="用三层利润金字塔等级作为标签,以 recency、frequency、monetary 为特征训练决策树(max_depth=3, "
              "test_size=0.3, seed=0)。验证集准确率是多少?")
def q10(data):
    return learn_grading(_graded(data), features=["recency", "frequency", "monetary"], label="grade",
                         max_depth=3, test_size=0.3, seed=0).accuracy


# --- q11 hold-out ----------------------------------------------------------------------------------------------------
def _key_holdout_share(data, levels=THREE_LEVELS):
    g = _profit_pyramid(data, levels=levels)
    key = set(g.index[g["level"].astype(str) == "key"])
    h = data.table("holdout_orders")
    h = h[h["status"].isin(PURCHASE)]
    return float(h.loc[h["customer_id"].isin(key), "amount"].sum() / h["amount"].sum())


@EXERCISES.exercise(
    "q11", check=Number(rtol=1e-6), concept="holdout",
    prompt="Do your key customers (关键客户, top 20 % by observation-window profit) stay key? What share of the "
           "hold-out year's sales (holdout_orders, purchase orders) do they bring? Compare it with their share "
           "in the observation window and explain the difference in the notebook.",
    prompt_zh="你的关键客户(观察期利润前20%)在保留期仍然重要吗?他们贡献了保留期销售额(holdout_orders 购买订单)的多少比例?"
              "与观察期的份额比较,并在笔记本中解释差异。")
def q11(data):
    return _key_holdout_share(data)


@q11.mistake("observation_window", en="That is the observation-window share; use holdout_orders for the future.",
             zh="这是观察期的份额;未来要用 holdout_orders。")
def _(data):
    g = _profit_pyramid(data, levels=THREE_LEVELS)
    key = set(g.index[g["level"].astype(str) == "key"])
    o = _purch(data)
    return float(o.loc[o["customer_id"].isin(key), "amount"].sum() / o["amount"].sum())


@EXERCISES.exercise(
    "q11b", check=Choice(["larger", "smaller"]), concept="holdout",
    prompt="Is your key customers' share of the hold-out year's sales 'larger' or 'smaller' than their share of "
           "the observation window's sales? (Two forces pull in opposite directions: regression to the mean — part "
           "of a top customer's past was luck — lowers it; occasional customers dropping out raises it. Which wins "
           "in your data? Explain in the notebook.)",
    prompt_zh="你的关键客户在保留期销售额中的份额比在观察期中的份额 'larger'(更大)还是 'smaller'(更小)?"
              "(两种力量方向相反:向均值回归使其降低;偶然客户流失使其升高。你的数据里哪种更强?请在笔记本中解释。)")
def q11b(data):
    g = _profit_pyramid(data, levels=THREE_LEVELS)
    key = set(g.index[g["level"].astype(str) == "key"])
    o = _purch(data)
    past = float(o.loc[o["customer_id"].isin(key), "amount"].sum() / o["amount"].sum())
    return "larger" if _key_holdout_share(data) > past else "smaller"
