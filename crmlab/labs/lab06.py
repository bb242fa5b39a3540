"""Lab 06 · CRM operations (客户关系管理系统): graded exercises on the student's own CRM.

The Alibaba-lab tasks are done with ``crmlab.CRM`` on a working copy of the student's database;
each answer is the resulting database state (a small table the notebook reads back), compared
with the state the correct actions produce from the student's initial data. The analysis
exercises are computed with :mod:`crmlab.ops` functions from the same data. The CRM clock is the
simulation's observation end (2025-01-01 00:00), so "in 7 days" is 2025-01-08.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from crmlab.teaching import ExerciseSet, Number, Table, Text

EXERCISES = ExerciseSet("06", title="CRM operations", title_zh="客户关系管理系统操作", n_customers=1000)
EXERCISES.concepts({
    "customer_file": ("customer files: add and modify customers, suppliers, contacts", "客户档案(客户、供应商、联系人)"),
    "follow_up": ("contact records and follow-up visits", "联系记录与跟进回访"),
    "category": ("customer categories important / ordinary / potential", "客户分类(重要/一般/潜在)"),
    "audit": ("audit log of every change", "操作日志"),
    "sla": ("24-hour complaint response (SLA)", "投诉24小时内回复"),
    "root_cause": ("complaint root-cause analysis", "投诉原因分析"),
    "trigger": ("event-triggered marketing, once per event", "事件触发营销"),
    "funnel": ("sales funnel conversion", "销售漏斗转化率"),
    "churn": ("churn rate", "客户流失率"),
    "consumption": ("consumption analysis: average order value", "消费分析(客单价)"),
    "roi": ("campaign ROI", "营销投资回报率"),
    "permissions": ("roles and permissions", "用户权限"),
})

NEW_CUSTOMER = {"name": "王小明", "phone": "13800001234", "city": "杭州市", "category": "important", "owner": "alice"}
NEW_SUPPLIER = {"name": "佛山厨电有限公司", "phone": "075788881234"}
NEW_CONTACT = {"name": "周经理", "phone": "13600001234"}
FOLLOW_UP_CUSTOMER = "C000012"
REGRADE_CUSTOMER = "C000007"
SLA_AS_OF = "2024-12-01 00:00:00"


def _crm(data):
    import crmlab

    return crmlab.CRM(data.db, user="admin")


def _now(data) -> pd.Timestamp:
    return pd.Timestamp(_crm(data).now)


# ---------------------------------------------------------------- Alibaba lab: customer files
@EXERCISES.exercise("q1", check=Table(columns=["name", "phone", "city", "category", "owner"]),
                    concept="customer_file", points=1,
                    prompt="Add the customer 王小明 (phone 13800001234, city 杭州市) as an important customer "
                           "owned by alice. Answer: crm.customers.search(phone='13800001234').",
                    prompt_zh="新增客户王小明(电话 13800001234,城市 杭州市),设为重要客户,负责人 alice。")
def q1(data):
    return pd.DataFrame([NEW_CUSTOMER])


@q1.mistake("default_category", en="The category was left at its default (potential, 潜在客户): set it to important.",
            zh="客户类别仍是默认的潜在客户,请设为重要客户。")
def _(data):
    return pd.DataFrame([{**NEW_CUSTOMER, "category": "potential"}])


@EXERCISES.exercise("q2", check=Table(columns=["name", "phone"]), concept="customer_file", points=1,
                    prompt="Add the supplier 佛山厨电有限公司 (phone 0757-88881234) and its contact 周经理 "
                           "(phone 13600001234). Answer: crm.contacts.search(company='佛山厨电有限公司').",
                    prompt_zh="新增供应商佛山厨电有限公司及其联系人周经理。")
def q2(data):
    return pd.DataFrame([NEW_CONTACT])


def _open_tasks(data, code: str) -> pd.DataFrame:
    cust = data.table("customers")
    cid = int(cust.loc[cust.customer_code == code, "customer_id"].iloc[0])
    t = data.table("tasks")
    t = t.loc[(t.customer_id == cid) & (t.status == "open")]
    return pd.DataFrame({"kind": t.kind.to_numpy(), "due": t.due_at.dt.strftime("%Y-%m-%d").to_numpy()})


@EXERCISES.exercise("q3", check=Table(columns=["kind", "due"]), concept="follow_up", points=1,
                    prompt=f"Record a phone call with {FOLLOW_UP_CUSTOMER} (a follow-up) and set its next follow-up "
                           "7 days later. Answer: the customer's open tasks as kind and due date (YYYY-MM-DD).",
                    prompt_zh=f"为客户{FOLLOW_UP_CUSTOMER}添加一条电话联系记录,并设置7天后跟进。")
def q3(data):
    new = pd.DataFrame({"kind": ["follow_up"], "due": [(_now(data) + pd.Timedelta(days=7)).strftime("%Y-%m-%d")]})
    return pd.concat([_open_tasks(data, FOLLOW_UP_CUSTOMER), new], ignore_index=True)


@q3.mistake("no_follow_up", en="The contact record is there, but no follow-up date was set "
            "(next_follow_up_at), so no follow-up task exists.",
            zh="已添加联系记录,但没有设置下次跟进时间(next_follow_up_at),所以没有生成跟进任务。")
def _(data):
    return _open_tasks(data, FOLLOW_UP_CUSTOMER)


@EXERCISES.exercise("q4", check=Table(columns=["customer_code", "category", "city"]), concept="category", points=1,
                    prompt=f"Set customer {REGRADE_CUSTOMER} to important (重要客户) and change its city to 上海市. "
                           f"Answer: crm.customers.search(code='{REGRADE_CUSTOMER}').",
                    prompt_zh=f"把客户{REGRADE_CUSTOMER}设为重要客户,并把城市改为上海市。")
def q4(data):
    return pd.DataFrame([{"customer_code": REGRADE_CUSTOMER, "category": "important", "city": "上海市"}])


@EXERCISES.exercise("q5", check=Number(atol=0), concept="audit", points=1,
                    prompt=f"How many audit-log rows does crm.history('customers', '{REGRADE_CUSTOMER}') show after q4?",
                    prompt_zh=f"完成第4题后,客户{REGRADE_CUSTOMER}的操作日志有几行?")
def q5(data):
    cust = data.table("customers").set_index("customer_code").loc[REGRADE_CUSTOMER]
    cats = data.table("customer_categories").set_index("category_id").code
    return int(cats[cust.category_id] != "important") + int(cust.city != "上海市")


# ---------------------------------------------------------------- service, marketing, analysis
@EXERCISES.exercise("q6", check=Number(atol=0), concept="sla", points=1,
                    prompt=f"How many complaints had breached the 24-hour first-response SLA as of {SLA_AS_OF} "
                           "(answered late, or unanswered and overdue)?",
                    prompt_zh=f"截至 {SLA_AS_OF},有多少投诉超过了24小时首次回复时限?")
def q6(data):
    s = _crm(data).sla_summary(as_of=SLA_AS_OF)
    return int(s["breached"] + s["breached_open"])


@q6.mistake("only_answered_late", en="Count also the complaints still unanswered after their 24 hours.",
            zh="还要算上超过24小时仍未回复的投诉。")
def _(data):
    return int(_crm(data).sla_summary(as_of=SLA_AS_OF)["breached"])


@EXERCISES.exercise("q7", check=Text(), concept="root_cause", points=1,
                    prompt="Which root cause (root_cause code) is the most frequent among resolved complaints?",
                    prompt_zh="已解决的投诉中,最常见的原因(root_cause)是哪一个?")
def q7(data):
    return str(_crm(data).root_causes().root_cause.iloc[0])


@EXERCISES.exercise("q8", check=Number(atol=0), concept="trigger", points=1,
                    prompt="Run the event-triggered rules once (crm.run_automation()). How many win-back tasks "
                           "(rule WINBACK_180D) did it create?",
                    prompt_zh="运行一次事件触发规则。沉睡客户唤回(WINBACK_180D)创建了多少任务?")
def q8(data):
    cand = _crm(data).automation_candidates()
    return int((cand.rule == "WINBACK_180D").sum())


@q8.mistake("ran_twice", en="That is the second run: a rule fires once per event, so running again creates nothing.",
            zh="这是第二次运行的结果:规则对每个事件只触发一次,再次运行不会新建任务。")
def _(data):
    return 0


@EXERCISES.exercise("q9", check=Number(rtol=1e-6), concept="funnel", points=1,
                    prompt="What share of the opportunities that reached the top of the funnel (漏斗上部) "
                           "went on to the middle (漏斗中部)?",
                    prompt_zh="进入漏斗上部的销售机会中,有多大比例进入了漏斗中部?")
def q9(data):
    conv = _crm(data).stage_conversion().set_index("stage")
    return float(conv.loc["top", "conversion_to_next"])


@EXERCISES.exercise("q10", check=Number(rtol=1e-6), concept="churn", points=1,
                    prompt="Churn rate at the simulation date: of the customers who bought before the last "
                           "180 days, what share did not buy in those 180 days?",
                    prompt_zh="客户流失率:在最近180天之前购买过的客户中,最近180天没有购买的比例是多少?")
def q10(data):
    return float(_crm(data).churn_rate(days=180))


@EXERCISES.exercise("q11", check=Number(rtol=1e-6), concept="consumption", points=1,
                    prompt="Average order value (客单价, yuan) of paid orders in 2024-12?",
                    prompt_zh="2024年12月已付款订单的客单价(元)是多少?")
def q11(data):
    m = _crm(data).consumption_analysis(by="month").set_index("month")
    return float(m.loc["2024-12", "aov"])


@q11.mistake("per_buyer", en="That is revenue per buyer; the average order value divides by orders.",
             zh="这是人均消费额;客单价要除以订单数。")
def _(data):
    m = _crm(data).consumption_analysis(by="month").set_index("month")
    return float(m.loc["2024-12", "revenue"] / m.loc["2024-12", "buyers"])


@EXERCISES.exercise("q12", check=Text(), concept="roi", points=1,
                    prompt="Which campaign (code) has the highest ROI?",
                    prompt_zh="哪个营销活动(code)的投资回报率最高?")
def q12(data):
    roi = _crm(data).campaign_roi().sort_values("roi_pct", ascending=False)
    return str(roi.code.iloc[0])


@EXERCISES.exercise("q13", check=Number(atol=0), concept="permissions", points=1,
                    prompt="Log in as bob (a sales representative): how many active customers can he see?",
                    prompt_zh="以 bob(销售代表)身份登录:他能看到多少个有效客户?")
def q13(data):
    users = data.table("users")
    bob = int(users.loc[users.username == "bob", "user_id"].iloc[0])
    c = data.table("customers")
    return int(((c.owner_user_id == bob) & (c.status == "active")).sum())


@q13.mistake("all_customers", en="A sales representative sees only his own customers (scope 'own').",
             zh="销售代表只能看到自己负责的客户(范围 own)。")
def _(data):
    c = data.table("customers")
    return int((c.status == "active").sum())
