"""Lab 01 · The CRM database (CRM数据库): exercises on the student's own simulated data.

Every expected value is computed from the student's database; the KPI-tree figures come from
:func:`crmlab.value.kpi_tree`, the one place the formula lives. Conventions (see
``datasets/README.md``): sales (销售额) are the paid amounts (``amount``, 实付金额) of orders whose
status is paid, shipped or delivered, in the observation window (table ``orders``, never
``holdout_orders``); a buyer is a customer with at least one such order.
"""
from __future__ import annotations

import pandas as pd

from crmlab.teaching import Choice, ExerciseSet, Number, Table
from crmlab.value.kpi import PAID_STATUSES, kpi_tree

EXERCISES = ExerciseSet("01", title="The CRM database", title_zh="CRM数据库", n_customers=2000)
EXERCISES.concepts({
    "customer_category": ("customer category", "客户类别"),
    "customer_type": ("consumer and business customers", "个人客户与企业客户"),
    "sales": ("sales (paid amount of paid orders)", "销售额 (实付金额)"),
    "kpi_tree": ("e-commerce KPI tree", "电商KPI指标树"),
    "sales_per_buyer": ("sales per buyer", "客单价"),
    "data_kinds": ("the four kinds of CRM data", "CRM四类数据"),
    "unpaid_orders": ("placed but unpaid orders", "拍下未付款"),
    "sql": ("SQL aggregation", "SQL汇总查询"),
})

#: The data kind of every table (数据分类), as labelled in ``datasets/README.md`` (a test keeps them equal):
#: the seed's four kinds (descriptive 描述性, campaign 促销活动, transaction 交易, service 服务数据) plus
#: ``system`` (running the CRM) and ``truth`` (the simulator's planted truths).
TABLE_KIND = {
    "customer_categories": "descriptive", "customers": "descriptive", "contacts": "descriptive",
    "suppliers": "descriptive", "product_categories": "descriptive", "products": "descriptive",
    "campaigns": "campaign", "campaign_members": "campaign", "automation_rules": "campaign",
    "automation_runs": "campaign",
    "orders": "transaction", "order_lines": "transaction", "holdout_orders": "transaction",
    "holdout_order_lines": "transaction", "pipeline_stages": "transaction", "opportunities": "transaction",
    "opportunity_stage_history": "transaction",
    "tickets": "service", "tasks": "service", "interactions": "service", "survey_instruments": "service",
    "survey_items": "service", "survey_responses": "service", "survey_answers": "service",
    "users": "system", "roles": "system", "role_permissions": "system", "teams": "system",
    "audit_log": "system", "backup_runs": "system", "crmlab_meta": "system",
    "truth_customers": "truth",
}
KIND_ZH = {"descriptive": "描述性数据", "campaign": "促销活动数据", "transaction": "交易数据",
           "service": "服务数据", "system": "系统数据", "truth": "模拟真值"}

#: Tables offered in q9.
KIND_OF_TABLE = {t: TABLE_KIND[t] for t in (
    "customers", "orders", "order_lines", "opportunities", "campaigns", "campaign_members",
    "tickets", "interactions", "survey_answers")}
TRANSACTION_TABLES = sorted(t for t, k in KIND_OF_TABLE.items() if k == "transaction")


# --- reading the student's data -----------------------------------------------------------------
def _paid(orders: pd.DataFrame) -> pd.DataFrame:
    return orders[orders["status"].isin(PAID_STATUSES)]


def _tree(data) -> pd.Series:
    return kpi_tree(data.table("orders"))["value"]


def _n_buyers_all_orders(data) -> int:
    return int(data.table("orders")["customer_id"].nunique())


# --- q1 customers by category ----------------------------------------------------------------------
@EXERCISES.exercise(
    "q1", check=Table(key=["category"], columns=["n_customers"]), concept="customer_category",
    prompt="How many customers are in each customer category? Give a DataFrame with columns "
           "`category` (the category code: important / ordinary / potential) and `n_customers`.",
    prompt_zh="每个客户类别各有多少客户?给出包含 `category`(类别代码)和 `n_customers` 两列的 DataFrame。")
def q1(data):
    cats = data.table("customer_categories")[["category_id", "code"]]
    cust = data.table("customers").merge(cats, on="category_id")
    out = cust.groupby("code").size().reindex(cats["code"], fill_value=0)
    return pd.DataFrame({"category": out.index, "n_customers": out.to_numpy()})


# --- q2 share of business customers ----------------------------------------------------------------
@EXERCISES.exercise(
    "q2", check=Number(rtol=1e-3), concept="customer_type",
    prompt="What share of all customers are business customers (customer_type 'company')? "
           "Give a fraction between 0 and 1.",
    prompt_zh="企业客户(customer_type 为 'company')占全部客户的比例是多少?给出 0 到 1 之间的小数。")
def q2(data):
    c = data.table("customers")
    return float((c["customer_type"] == "company").mean())


@q2.mistake("ratio_to_persons", en="You divided companies by consumers; the question asks for a share of all "
            "customers.", zh="你用企业客户数除以了个人客户数;题目问的是占全部客户的比例。")
def _(data):
    c = data.table("customers")["customer_type"]
    return float((c == "company").sum() / max((c == "person").sum(), 1))


# --- q3 sales in the observation window --------------------------------------------------------------
@EXERCISES.exercise(
    "q3", check=Number(rtol=1e-6, atol=0.01), concept="sales",
    prompt="What were total sales (销售额) in the observation window, in yuan? Sales are the paid amount "
           "(`amount`) of orders whose status is paid, shipped or delivered.",
    prompt_zh="观察期内的销售额(元)是多少?销售额为状态是 paid、shipped 或 delivered 的订单的实付金额(amount)之和。")
def q3(data):
    return float(_tree(data)["sales"])


@q3.mistake("all_statuses", en="You summed every order, including cancelled, unpaid (placed) and returned ones.",
            zh="你把所有订单都算进去了,包括已取消、拍下未付款和已退货的订单。")
def _(data):
    return float(data.table("orders")["amount"].sum())


@q3.mistake("counted_cancelled", en="You counted cancelled orders: a cancelled order brings no sales.",
            zh="你把已取消的订单也算进了销售额。")
def _(data):
    o = data.table("orders")
    return float(o.loc[o["status"].isin([*PAID_STATUSES, "cancelled"]), "amount"].sum())


@q3.mistake("counted_unpaid", en="You counted placed-but-unpaid orders (拍下未付款): they are not sales yet.",
            zh="你把拍下未付款的订单也算进了销售额。")
def _(data):
    o = data.table("orders")
    return float(o.loc[o["status"].isin([*PAID_STATUSES, "placed"]), "amount"].sum())


@q3.mistake("counted_returned", en="You counted returned orders: their money was refunded.",
            zh="你把已退货的订单也算进了销售额,这些订单已经退款。")
def _(data):
    o = data.table("orders")
    return float(o.loc[o["status"].isin([*PAID_STATUSES, "returned"]), "amount"].sum())


@q3.mistake("used_gross", en="You used the gross amount (商品总额) instead of the paid amount (实付金额, after "
            "discount).", zh="你用了商品总额(gross_amount),应该用扣除优惠后的实付金额(amount)。")
def _(data):
    return float(_paid(data.table("orders"))["gross_amount"].sum())


@q3.mistake("included_holdout", en="You included the hold-out orders (holdout_orders): they happen after the "
            "observation window and are kept apart for scoring predictions.",
            zh="你把留出期订单(holdout_orders)也算进去了;它们发生在观察期之后,只用于检验预测。")
def _(data):
    return float(_paid(data.table("orders"))["amount"].sum() + _paid(data.table("holdout_orders"))["amount"].sum())


# --- q4 placed but unpaid ---------------------------------------------------------------------------
@EXERCISES.exercise(
    "q4", check=Number(rtol=0, atol=0.5), concept="unpaid_orders",
    prompt="How many orders in the observation window were placed but not paid (拍下未付款, status 'placed')?",
    prompt_zh="观察期内有多少笔拍下未付款的订单(状态为 'placed')?")
def q4(data):
    return int((data.table("orders")["status"] == "placed").sum())


@q4.mistake("with_cancelled", en="You also counted cancelled orders; they are closed, not waiting for payment.",
            zh="你把已取消的订单也算进去了;它们已关闭,不是等待付款。")
def _(data):
    return int(data.table("orders")["status"].isin(["placed", "cancelled"]).sum())


# --- q5 an SQL aggregation --------------------------------------------------------------------------
@EXERCISES.exercise(
    "q5", check=Table(key=["channel"], columns=["n_orders", "sales"], rtol=1e-6, atol=0.01), concept="sql",
    prompt="With one SQL query, give for each order channel the number of paid orders and their sales: "
           "columns `channel`, `n_orders`, `sales` (paid = status paid, shipped or delivered).",
    prompt_zh="用一条 SQL 查询,按下单渠道统计已付款订单数和销售额:列为 `channel`、`n_orders`、`sales`。")
def q5(data):
    paid = _paid(data.table("orders"))
    out = paid.groupby("channel").agg(n_orders=("order_id", "size"), sales=("amount", "sum")).reset_index()
    return out


@q5.mistake("all_statuses", en="Your query has no status filter: add WHERE status IN ('paid', 'shipped', "
            "'delivered').", zh="你的查询没有按状态筛选:请加上 WHERE status IN ('paid','shipped','delivered')。")
def _(data):
    o = data.table("orders")
    return o.groupby("channel").agg(n_orders=("order_id", "size"), sales=("amount", "sum")).reset_index()


# --- q6 orders per buyer -----------------------------------------------------------------------------
@EXERCISES.exercise(
    "q6", check=Number(rtol=1e-4), concept="kpi_tree",
    prompt="How many paid orders does a buyer place on average in the observation window (orders per buyer)?",
    prompt_zh="观察期内每个购买客户平均有多少笔已付款订单(人均订单数)?")
def q6(data):
    return float(_tree(data)["orders_per_buyer"])


@q6.mistake("all_customers", en="You divided by all customers; divide by buyers (customers with a paid order).",
            zh="你除以了全部客户数;应该除以购买客户数(有已付款订单的客户)。")
def _(data):
    return float(len(_paid(data.table("orders"))) / len(data.table("customers")))


@q6.mistake("all_orders", en="You counted every order, not only the paid ones.",
            zh="你统计了所有订单,而不只是已付款的订单。")
def _(data):
    return float(len(data.table("orders")) / _n_buyers_all_orders(data))


# --- q7 sales per buyer (客单价) -------------------------------------------------------------------
@EXERCISES.exercise(
    "q7", check=Number(rtol=1e-4), concept="sales_per_buyer",
    prompt="What is 客单价, the sales per buyer, in yuan: sales divided by the number of buyers?",
    prompt_zh="客单价(销售额 ÷ 购买客户数)是多少元?")
def q7(data):
    return float(_tree(data)["sales_per_buyer"])


@q7.mistake("per_order", en="You divided sales by orders: that is the average order value (平均订单金额). "
            "客单价 here is per buyer.", zh="你用销售额除以了订单数,得到的是平均订单金额;这里的客单价按购买客户计算。")
def _(data):
    tree = _tree(data)
    return float(tree["sales_per_buyer"] / tree["orders_per_buyer"])


@q7.mistake("all_customers", en="You divided by all customers, including those who never paid for an order.",
            zh="你除以了全部客户数,其中包括从未付款的客户。")
def _(data):
    return float(_tree(data)["sales"] / len(data.table("customers")))


@q7.mistake("used_gross", en="You used the gross amount instead of the paid amount (实付金额).",
            zh="你用了商品总额,应该用实付金额。")
def _(data):
    return float(_paid(data.table("orders"))["gross_amount"].sum() / _tree(data)["buyers"])


# --- q8 the KPI tree ---------------------------------------------------------------------------------
KPI_FACTORS = ["buyers", "orders_per_buyer", "items_per_order", "avg_item_price"]


@EXERCISES.exercise(
    "q8", check=Table(key=["factor"], columns=["value"], rtol=1e-4), concept="kpi_tree",
    prompt="Decompose sales = buyers × orders per buyer × items per order × average item price. Give a "
           "DataFrame with columns `factor` (buyers, orders_per_buyer, items_per_order, avg_item_price) and "
           "`value`.",
    prompt_zh="分解销售额 = 购买客户数 × 人均订单数 × 单次购买件数 × 平均件单价。给出包含 `factor` "
              "(buyers、orders_per_buyer、items_per_order、avg_item_price)和 `value` 两列的 DataFrame。")
def q8(data):
    tree = _tree(data)
    return pd.DataFrame({"factor": KPI_FACTORS, "value": [float(tree[f]) for f in KPI_FACTORS]})


@q8.mistake("all_orders", en="Your factors count every order; the tree counts paid orders only.",
            zh="你的各项因子统计了所有订单;KPI树只统计已付款订单。")
def _(data):
    o = data.table("orders")
    buyers = o["customer_id"].nunique()
    items = o["n_items"].sum()
    return pd.DataFrame({"factor": KPI_FACTORS,
                         "value": [float(buyers), len(o) / buyers, items / len(o), o["amount"].sum() / items]})


# --- q9 data kinds -------------------------------------------------------------------------------------
@EXERCISES.exercise(
    "q9", check=Choice(sorted(KIND_OF_TABLE), multi=True), concept="data_kinds",
    prompt="Which of these tables hold transaction data (交易数据)? Choose all that apply: "
           + ", ".join(sorted(KIND_OF_TABLE)) + ".",
    prompt_zh="下列哪些表属于交易数据?(多选)" + "、".join(sorted(KIND_OF_TABLE)))
def q9(data):
    return TRANSACTION_TABLES


@q9.mistake("campaign_response", en="campaign_members is campaign data: who was targeted (its `responded` column "
            "is the only transaction part).", zh="campaign_members 属于促销活动数据:记录活动针对了谁。")
def _(data):
    return sorted([*TRANSACTION_TABLES, "campaign_members"])
