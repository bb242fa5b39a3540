"""Lab 02 · Customer value and lifecycle (客户价值与生命周期): exercises on the student's own data.

Conventions: profit = amount − cost of purchase orders (status paid / shipped / delivered /
returned is a purchase, as the simulator's truth says; cancelled and placed-unpaid orders are
not); time in weeks; the observation window ends at ``truth.params["purchase"]["observation_end"]``
and the hold-out future (``holdout_orders``) runs to ``holdout_end``. Every formula comes from
:mod:`crmlab.value`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.teaching import Choice, ExerciseSet, Number, Table
from crmlab.value.bgnbd import fit_bgnbd, fit_gamma_gamma, holdout_from_orders, predictive_clv, summary_data_from_orders
from crmlab.value.clv import clv, clv_retention
from crmlab.value.gale import gale_value
from crmlab.value.lifecycle import lifecycle_stage, stage_agreement

EXERCISES = ExerciseSet("02", title="Customer value and lifecycle", title_zh="客户价值与生命周期",
                        n_customers=2000)
EXERCISES.concepts({
    "clv": ("customer lifetime value", "客户终身价值"),
    "clv_retention": ("CLV with a retention rate", "考虑客户保持率的客户终身价值"),
    "rfm_summary": ("frequency, recency and T per customer", "购买频次、最近购买时间与观察期"),
    "bgnbd": ("BG/NBD purchase model", "BG/NBD购买次数模型"),
    "planted_truth": ("estimate vs the planted truth", "估计值与模拟真值"),
    "holdout": ("prediction vs the hold-out future", "预测与保留期实际"),
    "lifecycle": ("customer lifecycle stages", "客户生命周期阶段"),
    "gale": ("Gale's customer value", "盖尔顾客价值"),
    "predictive_clv": ("predictive CLV (BG/NBD + Gamma-Gamma)", "预测性客户终身价值"),
})

PURCHASE = ("paid", "shipped", "delivered", "returned")
NOT_PURCHASE = ("cancelled", "placed")
R_YEAR = 0.10


# --- helpers: one cached computation per student ---------------------------------------------------
def _cache(data) -> dict:
    return data.__dict__.setdefault("_lab02_cache", {})


def _period(data):
    p = data.truth.params["purchase"]
    return pd.Timestamp(p["observation_end"]), pd.Timestamp(p["holdout_end"])


def purchases(orders: pd.DataFrame) -> pd.DataFrame:
    """Purchase orders only (not cancelled, not placed-unpaid), with profit = amount − cost."""
    o = orders[orders["status"].isin(PURCHASE)]
    return o.assign(profit=o["amount"] - o["cost"])


def _summary(data, exclude=NOT_PURCHASE):
    key = ("summary", exclude)
    c = _cache(data)
    if key not in c:
        end, _ = _period(data)
        c[key] = summary_data_from_orders(data.table("orders"), observation_end=end, exclude_status=exclude)
    return c[key]


def _fit(data):
    c = _cache(data)
    if "fit" not in c:
        c["fit"] = fit_bgnbd(_summary(data))
    return c["fit"]


def _top_customer_last_year(data):
    """The customer with the largest profit in the last 52 weeks of the observation window (ties: lower id)."""
    end, _ = _period(data)
    o = purchases(data.table("orders"))
    last = o[o["ordered_at"] > end - pd.Timedelta(weeks=52)]
    g = last.groupby("customer_id")[["amount", "profit"]].sum().sort_index()
    cid = g["profit"].idxmax()
    return cid, g.loc[cid]


def gale_attributes(seed: int) -> pd.DataFrame:
    """A personal Gale table (attributes, kind, weight, own and competitor scores on a 1–10 scale)."""
    rng = np.random.default_rng([int(seed), 2002])
    names = ["product quality", "delivery speed", "after-sales service", "price level", "promotions"]
    kind = ["quality", "quality", "quality", "price", "price"]
    weight = rng.integers(1, 6, 5).astype(float)
    own = rng.integers(4, 11, 5).astype(float)
    comp = rng.integers(4, 11, 5).astype(float)
    return pd.DataFrame({"attribute": names, "kind": kind, "weight": weight, "own": own, "competitor": comp})


# --- q1 CLV of the best customer ---------------------------------------------------------------------
@EXERCISES.exercise(
    "q1", check=Number(rtol=1e-4), concept="clv",
    prompt="Take the customer with the largest profit (amount − cost of purchase orders) in the last 52 "
           "weeks of the observation window. Assume they bring that same profit every year for 5 more years, "
           "received at the end of each year. What is their CLV at r = 10 %?",
    prompt_zh="取观察期最后52周利润(购买订单的实付金额−成本)最大的客户。假设今后5年每年年末带来同样的利润,"
              "贴现率10%时其客户终身价值是多少?")
def q1(data):
    _, row = _top_customer_last_year(data)
    return clv([row["profit"]] * 5, r=R_YEAR)


@q1.mistake("used_revenue", en="You discounted revenue (amount); the question asks for profit (利润 = amount − cost).",
            zh="你贴现的是收入,题目要求的是利润(实付金额−成本)。")
def _(data):
    _, row = _top_customer_last_year(data)
    return clv([row["amount"]] * 5, r=R_YEAR)


@q1.mistake("t_from_zero", en="You discounted from t = 0; the first year's profit arrives at the end of year 1, "
            "so divide by (1+r)^1 … (1+r)^5.", zh="你从t=0开始贴现;第一年的利润在第1年年末到账,应除以(1+r)^1…(1+r)^5。")
def _(data):
    _, row = _top_customer_last_year(data)
    return clv([row["profit"]] * 5, r=R_YEAR) * (1 + R_YEAR)


@q1.mistake("no_discount", en="You added the five years without discounting (贴现).", zh="你没有贴现,直接相加了五年的利润。")
def _(data):
    _, row = _top_customer_last_year(data)
    return 5 * row["profit"]


# --- q2 retention CLV ----------------------------------------------------------------------------------
def _retention_inputs(data):
    end, _ = _period(data)
    o = purchases(data.table("orders"))
    y2 = o[o["ordered_at"] > end - pd.Timedelta(weeks=52)]
    y1 = o[(o["ordered_at"] > end - pd.Timedelta(weeks=104)) & (o["ordered_at"] <= end - pd.Timedelta(weeks=52))]
    b1, b2 = set(y1["customer_id"]), set(y2["customer_id"])
    retention = len(b1 & b2) / len(b1)
    margin = y2["profit"].sum() / len(b2)
    return margin, retention


@EXERCISES.exercise(
    "q2", check=Number(rtol=1e-4), concept="clv_retention",
    prompt="Retention rate ρ = share of the buyers of the second-to-last 52 weeks who bought again in the last 52 "
           "weeks; margin m = last-52-week profit per buyer of those weeks. With r = 10 % and no end date, "
           "CLV = m·ρ/(1 + r − ρ). What is it?",
    prompt_zh="保持率ρ=倒数第二个52周的购买客户中在最后52周再次购买的比例;m=最后52周每位购买客户的利润。"
              "r=10%、无限期时 CLV=m·ρ/(1+r−ρ),是多少?")
def q2(data):
    m, rho = _retention_inputs(data)
    return clv_retention(m, rho, R_YEAR)


@q2.mistake("churn_for_retention", en="You used the churn rate 1 − ρ where the retention rate ρ (客户保持率) belongs.",
            zh="你把流失率1−ρ当成了保持率ρ。")
def _(data):
    m, rho = _retention_inputs(data)
    return clv_retention(m, 1 - rho, R_YEAR)


# --- q3 the summary table ------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q3", check=Table(key=["customer_id"], columns=["frequency", "recency", "T"], rtol=1e-6), concept="rfm_summary",
    prompt="Build the (frequency, recency, T) table of every buyer at the end of the observation window, in weeks, "
           "counting purchase orders only (not cancelled or placed-unpaid) and purchases on the same day as one. "
           "Columns: customer_id, frequency, recency, T.",
    prompt_zh="以周为单位,给出观察期末每位购买客户的 (frequency, recency, T) 表:只计购买订单(不含取消和拍下未付款),"
              "同一天的购买算一次。列:customer_id, frequency, recency, T。")
def q3(data):
    return _summary(data)[["frequency", "recency", "T"]].reset_index()


@q3.mistake("counted_non_purchases", en="You counted cancelled and unpaid orders as purchases; keep purchase orders only.",
            zh="你把取消和拍下未付款的订单也算作购买了;只保留购买订单。")
def _(data):
    return _summary(data, exclude=())[["frequency", "recency", "T"]].reset_index()


# --- q4 BG/NBD --------------------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q4", check=Number(rtol=0.01), concept="bgnbd",
    prompt="Fit BG/NBD to your table of q3. What is the estimated mean purchase rate of a living customer, r/α "
           "(purchases per week)?",
    prompt_zh="用q3的数据拟合BG/NBD模型。存活客户的平均购买率 r/α(每周购买次数)估计是多少?")
def q4(data):
    f = _fit(data)
    return f.r / f.alpha


@q4.mistake("alpha_over_r", en="α is a scale (rate) parameter: the mean of Gamma(r, α) is r/α, not α/r.",
            zh="α是尺度参数:Gamma(r, α)的均值是r/α,不是α/r。")
def _(data):
    f = _fit(data)
    return f.alpha / f.r


# --- q5 compare with the planted truth --------------------------------------------------------------------
@EXERCISES.exercise(
    "q5", check=Number(atol=0.005), concept="planted_truth",
    prompt="The simulator planted r, α, a, b (lab.truth.params['purchase']). What is the relative error of your "
           "estimate of the mean dropout probability a/(a+b): estimate ÷ planted − 1?",
    prompt_zh="模拟器设定了 r, α, a, b(lab.truth.params['purchase'])。你估计的平均流失概率 a/(a+b) 的相对误差"
              "(估计值÷真值−1)是多少?")
def q5(data):
    f = _fit(data)
    t = data.truth.params["purchase"]
    return (f.a / (f.a + f.b)) / (t["a"] / (t["a"] + t["b"])) - 1


@q5.mistake("inverted", en="Divide the estimate by the planted value, not the other way round.",
            zh="应以估计值除以真值,而不是反过来。")
def _(data):
    f = _fit(data)
    t = data.truth.params["purchase"]
    return (t["a"] / (t["a"] + t["b"])) / (f.a / (f.a + f.b)) - 1


@EXERCISES.exercise(
    "q5b", check=Choice(["sampling", "bias", "bug"]), concept="planted_truth",
    prompt="Your estimate is not exactly the planted value. The main reason is: 'sampling' (a finite number of "
           "customers and weeks carries random error that shrinks as the data grow), 'bias' (BG/NBD is the wrong "
           "model for these data) or 'bug' (the fitting code is wrong)?",
    prompt_zh="估计值与真值不完全相同,主要原因是:'sampling'(有限的客户与观察期带来随机误差,数据越多误差越小)、"
              "'bias'(BG/NBD不适合这些数据)还是'bug'(拟合代码有错)?")
def q5b(data):
    return "sampling"


# --- q6 hold-out future -------------------------------------------------------------------------------------
def _holdout(data):
    c = _cache(data)
    if "holdout" not in c:
        end, ho_end = _period(data)
        s = _summary(data)
        weeks = (ho_end - end).days / 7
        pred = _fit(data).expected_purchases(s, weeks)
        act = holdout_from_orders(data.table("holdout_orders"), s.index, start=end, end=ho_end)
        c["holdout"] = (pred, act)
    return c["holdout"]


@EXERCISES.exercise(
    "q6", check=Number(rtol=0.01), concept="holdout",
    prompt="Predict the total number of purchases your buyers will make in the hold-out period (observation_end "
           "to holdout_end) with the fitted BG/NBD, then count what they actually made (holdout_orders, purchase "
           "orders, same day = one). Give predicted total ÷ actual total.",
    prompt_zh="用拟合的BG/NBD预测购买客户在保留期(observation_end到holdout_end)的购买总次数,再数出实际次数"
              "(holdout_orders 中的购买订单,同日算一次)。给出 预测总数÷实际总数。")
def q6(data):
    pred, act = _holdout(data)
    return float(pred.sum() / act["purchases"].sum())


@q6.mistake("counted_non_purchases", en="In the hold-out, count purchase orders only (not cancelled or unpaid).",
            zh="保留期也只计购买订单(不含取消和未付款)。")
def _(data):
    pred, _ = _holdout(data)
    end, ho_end = _period(data)
    act = holdout_from_orders(data.table("holdout_orders"), None, start=end, end=ho_end, exclude_status=())
    return float(pred.sum() / act["purchases"].sum())


@q6.mistake("unconditional", en="Use each customer's own history: the conditional expectation E[Y(t) | x, t_x, T], "
            "not the expectation for a brand-new customer.", zh="应使用条件期望E[Y(t)|x,t_x,T],而不是新客户的无条件期望。")
def _(data):
    pred, act = _holdout(data)
    end, ho_end = _period(data)
    weeks = (ho_end - end).days / 7
    return float(len(pred) * _fit(data).expected_purchases_new(weeks) / act["purchases"].sum())


# --- q7 lifecycle ---------------------------------------------------------------------------------------------
def _stages(data, model="five"):
    s = _summary(data)
    everyone = s.reindex(data.table("customers")["customer_id"], fill_value=0)
    return lifecycle_stage(everyone, model=model)


@EXERCISES.exercise(
    "q7", check=Number(atol=0), concept="lifecycle",
    prompt="Apply crmlab's lifecycle rule (lifecycle_stage, five-stage model, default thresholds) to every customer "
           "(customers who never bought have frequency = recency = T = 0). How many are in 稳定期 (stability)?",
    prompt_zh="对所有客户(从未购买者 frequency=recency=T=0)应用 lifecycle_stage(五阶段模型、默认阈值)。"
              "处于稳定期(stability)的客户有多少?")
def q7(data):
    return int((_stages(data) == "stability").sum())


@EXERCISES.exercise(
    "q8", check=Number(atol=0.0005), concept="lifecycle",
    prompt="What share of all customers get the same stage from your rule (q7) as the simulator planted "
           "(lab.truth.customers['stage'])?",
    prompt_zh="你的阶段判断(q7)与模拟器设定的阶段(lab.truth.customers['stage'])一致的客户占全部客户的比例是多少?")
def q8(data):
    truth = data.truth.customers.set_index("customer_id")["stage"]
    return stage_agreement(_stages(data), truth)["agreement"]


@q8.mistake("buyers_only", en="Include every customer, also those who never bought (they are in 考察期).",
            zh="应包括全部客户,包括从未购买的客户(他们处于考察期)。")
def _(data):
    truth = data.truth.customers.set_index("customer_id")["stage"]
    st = lifecycle_stage(_summary(data))
    return stage_agreement(st, truth)["agreement"]


# --- q9 Gale ----------------------------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q9", check=Number(rtol=1e-6), concept="gale",
    prompt="For your Gale table (gale_attributes(lab.seed)), compute the customer value CV = p·MV + (1 − p)·CP with "
           "p = 0.6 (quality weight).",
    prompt_zh="对你的盖尔属性表(gale_attributes(lab.seed)),计算 p=0.6 时的顾客价值 CV=p·MV+(1−p)·CP。")
def q9(data):
    return gale_value(gale_attributes(data.seed), p=0.6)["CV"]


@q9.mistake("price_direction", en="The relative price score is competitor ÷ own (竞争者 ÷ 本企业), the opposite "
            "of the quality score.", zh="相对价格得分是 竞争者÷本企业,与质量得分方向相反。")
def _(data):
    a = gale_attributes(data.seed)
    a = a.assign(own=np.where(a["kind"] == "price", a["competitor"], a["own"]),
                 competitor=np.where(a["kind"] == "price", a["own"], a["competitor"]))
    return gale_value(a, p=0.6)["CV"]


# --- q10 predictive CLV ------------------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q10", check=Number(atol=0), concept="predictive_clv",
    prompt="With BG/NBD and Gamma-Gamma fitted to your buyers, which customer (customer_id) has the largest "
           "predicted 52-week spend (predictive_clv with horizon=52, margin=1, r=0)?",
    prompt_zh="用对购买客户拟合的BG/NBD与Gamma-Gamma模型,预测未来52周消费额最大的客户是哪位(customer_id)?")
def q10(data):
    s = _summary(data)
    pc = predictive_clv(_fit(data), fit_gamma_gamma(s), s, horizon=52)
    return int(pc["clv"].idxmax())


@q10.mistake("past_spend", en="That is the biggest spender of the past; the question asks for the predicted future.",
             zh="这是过去消费最多的客户;题目问的是预测的未来消费。")
def _(data):
    o = purchases(data.table("orders"))
    return int(o.groupby("customer_id")["amount"].sum().idxmax())
