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


# ---------------------------------------------------------------- Alibaba lab: modify, query and delete
# The Alibaba lab's objective is add, modify *and delete* for customers, suppliers, contacts and contact
# records (新增、修改、删除). These exercises complete it; they run after q1–q13 on the same working copy.
EXERCISES.concepts({
    "modify": ("modify suppliers, contacts and contact records", "修改供应商、联系人与联系记录"),
    "delete": ("delete records; archive a customer still in use", "删除记录;仍被引用的客户改为归档"),
    "query": ("query contact records by condition", "沟通记录查询"),
})

SUPPLIER_NEW_PHONE = "0757-88886666"
CONTACT_NEW_TITLE = "采购经理"
RECORD_CUSTOMER = "C000020"
RECORD = {"subject": "报价单", "channel": "email", "outcome": "客户已收到报价"}
QUERY_CUSTOMER = "C000030"
ARCHIVE_CUSTOMER = FOLLOW_UP_CUSTOMER


def _interactions_of(data, code: str) -> pd.DataFrame:
    cust = data.table("customers")
    cid = int(cust.loc[cust.customer_code == code, "customer_id"].iloc[0])
    i = data.table("interactions")
    return i.loc[i.customer_id == cid]


@EXERCISES.exercise("q14", check=Table(columns=["name", "phone"]), concept="modify", points=1,
                    prompt=f"The supplier 佛山厨电有限公司 (added in q2) has a new phone number, {SUPPLIER_NEW_PHONE}. "
                           "Change it. Answer: crm.suppliers.search(name='佛山厨电有限公司')[['name', 'phone']] "
                           "(phone numbers are stored as digits only).",
                    prompt_zh=f"供应商佛山厨电有限公司(第2题新增)的电话改为 {SUPPLIER_NEW_PHONE},请修改。"
                              "答案:crm.suppliers.search(name='佛山厨电有限公司')[['name', 'phone']](电话只存数字)。")
def q14(data):
    return pd.DataFrame([{"name": NEW_SUPPLIER["name"], "phone": SUPPLIER_NEW_PHONE.replace("-", "")}])


@q14.mistake("old_phone", en="The supplier still has its old phone number: use crm.suppliers.update.",
             zh="供应商仍是原来的电话:请用 crm.suppliers.update 修改。")
def _(data):
    return pd.DataFrame([NEW_SUPPLIER])


@EXERCISES.exercise("q15", check=Table(columns=["name", "job_title"]), concept="modify", points=1,
                    prompt=f"周经理, the supplier's contact, is now its {CONTACT_NEW_TITLE} (purchasing manager). Set the "
                           "contact's job title. Answer: crm.contacts.search(company='佛山厨电有限公司')[['name', 'job_title']].",
                    prompt_zh=f"供应商联系人周经理现任{CONTACT_NEW_TITLE},请修改其职务(job_title)。"
                              "答案:crm.contacts.search(company='佛山厨电有限公司')[['name', 'job_title']]。")
def q15(data):
    return pd.DataFrame([{"name": NEW_CONTACT["name"], "job_title": CONTACT_NEW_TITLE}])


@EXERCISES.exercise("q16", check=Table(columns=["subject", "channel", "outcome"]), concept="modify", points=1,
                    prompt=f"Record an e-mail (channel 'email') to customer {RECORD_CUSTOMER} with subject "
                           f"'{RECORD['subject']}' and no outcome; then correct the record: its outcome is "
                           f"'{RECORD['outcome']}'. Answer: that customer's contact records with this subject, "
                           "columns subject, channel, outcome.",
                    prompt_zh=f"为客户{RECORD_CUSTOMER}添加一条电子邮件(channel 'email')联系记录,主题“{RECORD['subject']}”,"
                              f"先不填结果;然后修改这条记录,结果(outcome)为“{RECORD['outcome']}”。答案:该客户主题为"
                              "此主题的联系记录(subject、channel、outcome 三列)。")
def q16(data):
    return pd.DataFrame([RECORD])


@q16.mistake("no_outcome", en="The record is there but its outcome was not corrected (crm.interactions.update).",
             zh="记录已添加,但结果(outcome)没有修改(crm.interactions.update)。")
def _(data):
    return pd.DataFrame([{**RECORD, "outcome": None}])


@EXERCISES.exercise("q17", check=Number(atol=0), concept="delete", points=1,
                    prompt=f"The record of q16 was entered for the wrong customer: delete it. Answer: how many contact "
                           f"records does {RECORD_CUSTOMER} have now (crm.interactions.count(customer=...))?",
                    prompt_zh=f"第16题的联系记录录错了客户:请删除它。答案:客户{RECORD_CUSTOMER}现在有多少条联系记录"
                              "(crm.interactions.count(customer=...))?")
def q17(data):
    return int(len(_interactions_of(data, RECORD_CUSTOMER)))


@q17.mistake("not_deleted", en="The q16 record is still counted: delete it with crm.interactions.delete.",
             zh="第16题的记录仍被计入:请用 crm.interactions.delete 删除。")
def _(data):
    return int(len(_interactions_of(data, RECORD_CUSTOMER))) + 1


@EXERCISES.exercise("q18", check=Number(atol=0), concept="delete", points=1,
                    prompt="周经理 has left the supplier: delete the contact. Answer: "
                           "crm.contacts.count(company='佛山厨电有限公司').",
                    prompt_zh="周经理已离开该供应商:请删除这个联系人。答案:crm.contacts.count(company='佛山厨电有限公司')。")
def q18(data):
    return 0


@q18.mistake("archived_only", en="Still counted: delete the contact (crm.contacts.delete), do not only edit it.",
             zh="仍被计入:请删除联系人(crm.contacts.delete),而不只是修改。")
def _(data):
    return 1


@EXERCISES.exercise("q19", check=Number(atol=0), concept="delete", points=1,
                    prompt="The firm no longer buys from 佛山厨电有限公司 and it has no contacts left: delete the supplier. "
                           "Answer: crm.suppliers.count(name='佛山厨电有限公司', include_archived=True).",
                    prompt_zh="企业不再向佛山厨电有限公司采购,且它已没有联系人:请删除该供应商。"
                              "答案:crm.suppliers.count(name='佛山厨电有限公司', include_archived=True)。")
def q19(data):
    return 0


@q19.mistake("archived_not_deleted", en="The supplier was archived, not deleted: crm.suppliers.delete removes it.",
             zh="供应商被归档了,而不是删除:crm.suppliers.delete 才会删除。")
def _(data):
    return 1


@EXERCISES.exercise("q20", check=Text(), concept="delete", points=1,
                    prompt=f"Try to delete customer {ARCHIVE_CUSTOMER} (you recorded a call with it in q3). The CRM refuses "
                           "with a Conflict, because records still refer to the customer: archive it instead. Answer: its "
                           f"status, crm.customers.search(code='{ARCHIVE_CUSTOMER}', include_archived=True).status.iloc[0].",
                    prompt_zh=f"尝试删除客户{ARCHIVE_CUSTOMER}(第3题为其添加过联系记录)。系统因仍有记录引用该客户而拒绝"
                              "(Conflict):请改为归档。答案:它的状态 status。")
def q20(data):
    return "archived"


@q20.mistake("still_active", en="The delete was refused, but the customer was not archived (crm.customers.archive).",
             zh="删除被拒绝,但客户还没有归档(crm.customers.archive)。")
def _(data):
    return "active"


@EXERCISES.exercise("q21", check=Number(atol=0), concept="delete", points=1,
                    prompt="王小明 (added in q1) was a test entry and has no orders or records: delete the customer. "
                           "Answer: crm.customers.count(phone='13800001234', include_archived=True).",
                    prompt_zh="王小明(第1题新增)是测试数据,没有订单和记录:请删除该客户。"
                              "答案:crm.customers.count(phone='13800001234', include_archived=True)。")
def q21(data):
    return 0


@q21.mistake("archived_not_deleted", en="The customer was archived, not deleted: a customer nothing refers to can be "
             "deleted with crm.customers.delete.", zh="客户被归档而不是删除:没有任何记录引用的客户可以用 crm.customers.delete 删除。")
def _(data):
    return 1


@EXERCISES.exercise("q22", check=Number(atol=0), concept="query", points=1,
                    prompt=f"Query the contact records (沟通记录查询): how many of customer {QUERY_CUSTOMER}'s contact "
                           "records were made by phone (channel 'phone')?",
                    prompt_zh=f"沟通记录查询:客户{QUERY_CUSTOMER}的联系记录中,有多少条是电话(channel 'phone')?")
def q22(data):
    return int((_interactions_of(data, QUERY_CUSTOMER).channel == "phone").sum())


@q22.mistake("all_channels", en="That counts every channel: keep only the phone records.",
             zh="这是所有渠道的记录数:只统计电话记录。")
def _(data):
    return int(len(_interactions_of(data, QUERY_CUSTOMER)))
