"""Concept quizzes for modules m1..m6, written fresh from the syllabus, English and Chinese.

Every key follows from a definition taught in the course (or a short hand calculation); none is
copied from an unkeyed source question. Question ids are ``"<module>.qNN"``; each question is
also an exercise (``quiz_exercises("m2")``), so quiz answers are graded like any other.

>>> len(QUESTIONS) >= 40
True
>>> sorted({q.module for q in QUESTIONS})
['m1', 'm2', 'm3', 'm4', 'm5', 'm6']
>>> questions("m4")[0].id
'm4.q01'
"""
from __future__ import annotations

from dataclasses import dataclass, field

from crmlab.errors import NotFound
from crmlab.teaching.checks import Choice, Number, Text

CONCEPTS: dict[str, tuple[str, str]] = {
    "relationship_levels": ("Kotler's relationship levels", "客户关系类型"),
    "crm_types": ("types of CRM systems", "CRM系统类型"),
    "crm_data": ("data in CRM", "CRM中的数据"),
    "marketing_evolution": ("evolution of marketing concepts", "营销观念的演变"),
    "one_to_one": ("one-to-one marketing", "一对一营销"),
    "crm_definition": ("definition of CRM", "客户关系管理的定义"),
    "lifecycle": ("customer lifecycle", "客户生命周期"),
    "clv": ("customer lifetime value", "客户终身价值"),
    "delivered_value": ("customer delivered value", "客户让渡价值"),
    "kpi_tree": ("e-commerce KPI tree", "电商KPI树"),
    "customer_value": ("historical, current and potential value", "历史价值、当前价值与潜在价值"),
    "pareto": ("Pareto (80/20) rule", "二八法则"),
    "pyramid": ("customer pyramid", "客户金字塔"),
    "rfm": ("RFM model", "RFM模型"),
    "ahp": ("analytic hierarchy process", "层次分析法"),
    "grade_strategy": ("strategies per customer grade", "分级客户的管理策略"),
    "satisfaction": ("expectation–performance model of satisfaction", "期望-实绩模型"),
    "servqual": ("SERVQUAL service quality", "服务质量(SERVQUAL)"),
    "kano": ("Kano model", "卡诺模型"),
    "loyalty": ("loyalty: attitude × repeat purchase", "客户忠诚"),
    "churn_types": ("types of customer churn", "客户流失类型"),
    "csi_models": ("satisfaction index models", "满意度指数模型"),
    "association_rules": ("association rules", "关联规则"),
    "segmentation": ("customer segmentation by clustering", "聚类细分"),
    "prediction": ("prediction with decision trees", "决策树预测"),
    "funnel": ("sales funnel", "销售漏斗"),
    "complaints": ("complaint handling", "投诉处理"),
    "campaigns": ("marketing campaigns and uplift", "营销活动与增量效果"),
    "system_settings": ("system settings: roles, audit, backup", "系统设置:权限、日志、备份"),
    "triggers": ("event-triggered marketing", "事件触发营销"),
}


@dataclass
class Question:
    id: str
    concept: str
    en: str
    zh: str
    answer: object                       # option key, list of keys (multi), text or number
    options: dict = field(default_factory=dict)   # key -> (en, zh)
    multi: bool = False
    accept: tuple = ()                   # text: accepted forms
    rtol: float | None = None            # number questions
    atol: float = 0.0

    @property
    def module(self) -> str:
        return self.id.split(".")[0]

    @property
    def kind(self) -> str:
        if self.options:
            return "multi" if self.multi else "choice"
        return "number" if self.rtol is not None else "text"

    def check(self):
        if self.options:
            return Choice(list(self.options), multi=self.multi)
        if self.rtol is not None:
            return Number(rtol=self.rtol, atol=self.atol)
        return Text(accept=self.accept)

    def prompt(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en

    def option_labels(self, lang: str = "en") -> list[tuple[str, str]]:
        return [(f"{k}. {v[1] if lang == 'zh' else v[0]}", k) for k, v in self.options.items()]


def _o(*pairs):
    return {k: v for k, v in zip("ABCDEF", pairs)}


_LEVELS = _o(("basic", "基本型"), ("reactive", "被动型"), ("accountable", "负责型"),
             ("proactive", "能动型"), ("partnership", "伙伴型"))
_STAGES = _o(("exploration", "考察期"), ("formation", "形成期"), ("stability", "稳定期"),
             ("decline", "退化期"), ("termination", "终止期"))
_KANO = _o(("attractive", "迷人质量"), ("one-dimensional", "期望质量"), ("must-be", "当然质量"),
           ("indifferent", "无关质量"), ("reverse", "反向质量"))
_LOYAL = _o(("loyal", "忠诚"), ("latent loyalty", "潜在忠诚"), ("spurious loyalty", "虚伪忠诚"),
            ("no loyalty", "不忠诚"))
_CHURN = _o(("natural churn", "自然流失"), ("competitive churn", "竞争流失"),
            ("malicious churn", "恶意流失"), ("negligent churn", "过失流失"))

QUESTIONS: list[Question] = [
    # ---- M1 CRM foundations ----------------------------------------------------------------
    Question("m1.q01", "relationship_levels",
             "A shop sells a phone and never contacts the buyer again. Which relationship level is this?",
             "商店卖出手机后再也不与买家联系。这属于哪种客户关系类型?", "A", _LEVELS),
    Question("m1.q02", "relationship_levels",
             "Soon after the sale, the firm calls the customer to ask whether the product meets their needs and invites suggestions. Which level?",
             "售出后企业很快致电客户,询问产品是否符合其要求,并征求意见。这属于哪种关系类型?", "C", _LEVELS),
    Question("m1.q03", "relationship_levels",
             "The firm works with the customer continuously to solve the customer's problems and support the customer's success. Which level?",
             "企业持续与客户协作,帮助客户解决问题、支持客户成功、共同发展。这属于哪种关系类型?", "E", _LEVELS),
    Question("m1.q04", "crm_types", "By function, CRM systems are divided into which types? (choose all that apply)",
             "按功能划分,CRM系统分为哪几类?(多选)", ["A", "B", "C"],
             _o(("operational", "操作型"), ("analytical", "分析型"), ("collaborative", "协作型"),
                ("logistic", "物流型")), multi=True),
    Question("m1.q05", "crm_data", "A customer's age, city and membership level are which kind of CRM data?",
             "客户的年龄、城市和会员等级属于CRM中的哪类数据?", "A",
             _o(("descriptive data", "描述性数据"), ("promotion data", "促销活动数据"),
                ("transaction data", "交易数据"), ("service data", "服务数据"))),
    Question("m1.q06", "crm_data", "Records of a customer's complaints and repair requests are which kind of CRM data?",
             "客户的投诉和维修请求记录属于哪类数据?", "D",
             _o(("descriptive data", "描述性数据"), ("promotion data", "促销活动数据"),
                ("transaction data", "交易数据"), ("service data", "服务数据"))),
    Question("m1.q07", "one_to_one",
             "One-to-one marketing measures success by share of each customer's spending rather than market share. Name this measure (English or Chinese).",
             "一对一营销追求的不是市场份额,而是在每位客户支出中所占的份额。这一指标叫什么?(中英文均可)",
             "customer share", accept=("customer share", "客户份额", "share of wallet", "share of customer")),
    Question("m1.q08", "marketing_evolution",
             "Production → product → selling → marketing → societal → mega-marketing → … Which concept comes next?",
             "生产观念→产品观念→推销观念→市场营销观念→社会营销观念→大市场营销观念→……下一个是什么?", "B",
             _o(("4P marketing mix", "4P营销组合"), ("relationship marketing", "关系营销"),
                ("mass marketing", "大众营销"), ("price competition", "价格竞争"))),
    Question("m1.q09", "crm_definition",
             "In HP's four stages of CRM, which stage comes first?",
             "在惠普提出的CRM四个阶段中,第一个阶段是什么?", "A",
             _o(("information management", "信息管理"), ("customer value measurement", "客户价值衡量"),
                ("activity management", "活动管理"), ("implementation management", "实施管理"))),
    # ---- M2 customer value and lifecycle --------------------------------------------------
    Question("m2.q01", "lifecycle",
             "Purchase frequency and spend per order keep rising, and the customer starts buying other categories. Which lifecycle stage?",
             "客户的购买频率和单笔金额持续上升,并开始购买其他品类。处于生命周期哪个阶段?", "B", _STAGES),
    Question("m2.q02", "lifecycle",
             "Transactions have reached their highest level and stay flat. Which lifecycle stage?",
             "交易量已达最高水平并保持平稳。处于生命周期哪个阶段?", "C", _STAGES),
    Question("m2.q03", "lifecycle",
             "Orders become rarer and smaller although the customer still buys. Which lifecycle stage?",
             "客户仍在购买,但订单越来越少、越来越小。处于生命周期哪个阶段?", "D", _STAGES),
    Question("m2.q04", "clv",
             "In CLV = Σ I_t/(1+r)^t, what is r?", "在 CLV = Σ I_t/(1+r)^t 中,r 是什么?", "C",
             _o(("retention rate", "保持率"), ("return on investment", "投资回报率"),
                ("discount rate", "贴现率"), ("growth rate of revenue", "收入增长率"))),
    Question("m2.q05", "clv",
             "A customer brings 110 yuan in year 1 and 110 yuan in year 2; the discount rate is 10 %. What is the CLV in yuan?",
             "某客户第1年带来110元,第2年带来110元,贴现率10%。客户终身价值是多少元?",
             110 / 1.1 + 110 / 1.1 ** 2, rtol=0.005),
    Question("m2.q06", "delivered_value",
             "Customer delivered value equals total customer value minus what?",
             "客户让渡价值等于顾客总价值减去什么?", "B",
             _o(("the firm's cost", "企业成本"), ("total customer cost", "顾客总成本"),
                ("the competitor's price", "竞争对手价格"), ("the profit margin", "利润率"))),
    Question("m2.q07", "delivered_value",
             "Which of these is NOT part of total customer cost?", "下列哪项不属于顾客总成本?", "D",
             _o(("money cost", "货币成本"), ("time cost", "时间成本"), ("energy cost", "精力成本"),
                ("image value", "形象价值"))),
    Question("m2.q08", "kpi_tree",
             "Sales = number of customers × ____ (name the missing KPI, English or Chinese).",
             "销售额 = 客户数 × ____(填写缺少的指标,中英文均可)。", "average order value",
             accept=("average order value", "AOV", "客单价", "average spend per order")),
    # ---- M3 customer grading ---------------------------------------------------------------
    Question("m3.q01", "pareto", "By the Pareto rule, roughly what share of customers brings about 80 % of profit?",
             "按照二八法则,大约多少比例的客户带来约80%的利润?", "B",
             _o(("5 %", "5%"), ("20 %", "20%"), ("50 %", "50%"), ("80 %", "80%"))),
    Question("m3.q02", "pyramid", "In the four-level customer pyramid, which grade is the top 1 % of customers by profit?",
             "在四层客户金字塔中,按利润排名前1%的客户属于哪一级?", "A",
             _o(("key (VIP) customers", "重要客户"), ("major customers", "次要客户"),
                ("ordinary customers", "普通客户"), ("small customers", "小客户"))),
    Question("m3.q03", "pyramid", "In the four-level pyramid, what share of customers are small customers (the bottom grade)?",
             "在四层客户金字塔中,小客户(最底层)占客户总数的多少?", "D",
             _o(("1 %", "1%"), ("19 %", "19%"), ("30 %", "30%"), ("50 %", "50%"))),
    Question("m3.q04", "rfm", "In the RFM model, what does R stand for (English or Chinese)?",
             "RFM模型中的 R 代表什么?(中英文均可)", "recency",
             accept=("recency", "最近一次消费", "最近一次购买", "近度", "最近购买时间")),
    Question("m3.q05", "ahp",
             "A 3×3 pairwise comparison matrix has λmax = 3.04. What is its consistency index CI?",
             "某3×3判断矩阵的最大特征根 λmax = 3.04,其一致性指标 CI 是多少?", 0.02, rtol=0.01),
    Question("m3.q06", "ahp", "Below which value of the consistency ratio CR is a pairwise matrix accepted?",
             "一致性比率 CR 小于多少时,判断矩阵可以接受?", 0.1, rtol=1e-9),
    Question("m3.q07", "ahp", "What is Saaty's random index RI for n = 3?", "n = 3 时 Saaty 的随机一致性指标 RI 是多少?", "B",
             _o(("0", "0"), ("0.58", "0.58"), ("0.90", "0.90"), ("1.12", "1.12"))),
    Question("m3.q08", "grade_strategy", "Which strategy is meant for key customers rather than small ones?",
             "下列哪项策略针对的是关键客户而不是小客户?", "C",
             _o(("cut the cost of serving them", "降低服务成本"), ("nurture those with potential", "培养有潜力者"),
                ("a dedicated team and priority resources", "专门团队与优先资源"),
                ("drop bad customers", "淘汰劣质客户"))),
    # ---- M4 satisfaction and loyalty -------------------------------------------------------
    Question("m4.q01", "satisfaction", "Perceived performance falls short of expectation. The customer is…",
             "感知实绩低于期望,客户会……", "A",
             _o(("dissatisfied", "不满意"), ("satisfied", "满意"), ("delighted", "非常满意(惊喜)"),
                ("loyal", "忠诚"))),
    Question("m4.q02", "servqual",
             "On one SERVQUAL item a customer's perception is 4.2 and expectation 4.8. What is the service quality score Q = P − E?",
             "某SERVQUAL题项上客户感知为4.2、期望为4.8。服务质量 Q = P − E 是多少?", -0.6, rtol=0.001, atol=1e-9),
    Question("m4.q03", "servqual", "Willingness to help customers and give prompt service is which SERVQUAL dimension?",
             "愿意帮助客户并提供及时服务,属于SERVQUAL的哪个维度?", "C",
             _o(("tangibles", "可感知性"), ("reliability", "可靠性"), ("responsiveness", "反应性"),
                ("assurance", "保证性"), ("empathy", "移情性"))),
    Question("m4.q04", "kano",
             "Its absence makes customers dissatisfied, but its presence is taken for granted. Which Kano category?",
             "缺少它客户会不满,具备它客户却视为理所当然。属于哪种卡诺质量?", "C", _KANO),
    Question("m4.q05", "kano",
             "Its presence delights customers, but its absence causes no dissatisfaction. Which Kano category?",
             "具备它会令客户惊喜,缺少它客户也不会不满。属于哪种卡诺质量?", "A", _KANO),
    Question("m4.q06", "loyalty",
             "A customer buys from us again and again but has a poor attitude towards us (e.g. only because we are nearest). Which loyalty type?",
             "客户反复购买,但对我们态度冷淡(例如只因离得最近)。属于哪种忠诚类型?", "C", _LOYAL),
    Question("m4.q07", "loyalty", "A customer likes the brand a lot but rarely buys from it. Which loyalty type?",
             "客户非常喜欢该品牌,却很少购买。属于哪种忠诚类型?", "B", _LOYAL),
    Question("m4.q08", "churn_types",
             "A customer stops dealing with the firm so as not to pay the balance still owed. Which churn type?",
             "客户为了不支付所欠的余款而中止与企业往来。属于哪种客户流失?", "C", _CHURN),
    Question("m4.q09", "csi_models", "Which construct does the Chinese CCSI model add that the Swedish SCSB does not have?",
             "与瑞典SCSB模型相比,中国CCSI模型增加了哪个变量?", "D",
             _o(("customer expectation", "顾客期望"), ("perceived value", "感知价值"),
                ("customer complaints", "顾客抱怨"), ("brand image", "品牌形象"))),
    # ---- M5 data mining --------------------------------------------------------------------
    Question("m5.q01", "association_rules",
             "Of 1000 baskets, 200 contain milk and 50 contain both milk and bread. What is the support of {milk} → {bread}?",
             "1000个购物篮中,200个含牛奶,50个同时含牛奶和面包。规则 {牛奶}→{面包} 的支持度是多少?", 0.05, rtol=0.001),
    Question("m5.q02", "association_rules", "Same baskets: what is the confidence of {milk} → {bread}?",
             "同上:规则 {牛奶}→{面包} 的置信度是多少?", 0.25, rtol=0.001),
    Question("m5.q03", "association_rules",
             "Same baskets, and 100 of the 1000 contain bread. What is the lift of {milk} → {bread}?",
             "同上,且1000个购物篮中有100个含面包。规则 {牛奶}→{面包} 的提升度是多少?", 2.5, rtol=0.001),
    Question("m5.q04", "association_rules", "A rule has lift 0.6. What does that say?", "某规则的提升度为0.6,说明什么?", "B",
             _o(("buying A makes buying B more likely", "购买A使购买B的可能性增大"),
                ("buying A makes buying B less likely", "购买A使购买B的可能性减小"),
                ("A and B are independent", "A与B相互独立"), ("the rule is 60 % reliable", "规则的可靠度为60%"))),
    Question("m5.q05", "association_rules",
             "“Beer and diapers” is the classic story of which analysis (English or Chinese)?",
             "“啤酒加尿布”是哪种分析的经典案例?(中英文均可)", "market basket analysis",
             accept=("market basket analysis", "market-basket analysis", "basket analysis", "association rules",
                     "association rule mining", "购物篮分析", "关联规则", "关联分析", "关联规则挖掘")),
    Question("m5.q06", "segmentation", "Which method forms behavioural groups of customers without predefined labels?",
             "哪种方法可以在没有预先标签的情况下把客户分成行为群组?", "B",
             _o(("decision tree", "决策树"), ("clustering", "聚类"), ("linear regression", "线性回归"),
                ("association rules", "关联规则"))),
    Question("m5.q07", "association_rules", "Which of these is a measure of an association rule? (choose all that apply)",
             "下列哪些是关联规则的度量指标?(多选)", ["A", "B", "C"],
             _o(("support", "支持度"), ("confidence", "置信度"), ("lift", "提升度"), ("recency", "最近购买时间")),
             multi=True),
    Question("m5.q08", "prediction",
             "To predict from past records which customers will churn (yes/no), which method fits?",
             "要根据历史记录预测哪些客户会流失(是/否),适合用哪种方法?", "A",
             _o(("a classification tree", "分类决策树"), ("k-means clustering", "K均值聚类"),
                ("an ABC classification", "ABC分类"), ("a customer pyramid", "客户金字塔"))),
    # ---- M6 CRM operations -----------------------------------------------------------------
    Question("m6.q01", "funnel", "In the sales funnel, which layer holds the opportunities that reached a contract?",
             "在销售漏斗中,哪一层是已签约的机会?", "D",
             _o(("outside the funnel", "漏斗外"), ("top", "上部"), ("middle", "中部"), ("bottom", "下部"))),
    Question("m6.q02", "funnel",
             "200 qualified opportunities entered the funnel and 50 of them were won. What is the conversion rate (as a fraction)?",
             "200个合格机会进入漏斗,其中50个成交。转化率是多少(用小数表示)?", 0.25, rtol=0.001),
    Question("m6.q03", "complaints", "Within how many hours should a complaint get a reply?",
             "投诉应在多少小时内答复?", 24, rtol=1e-9),
    Question("m6.q04", "campaigns",
             "A campaign's treatment group responds at 8 %, its control group at 5 %. What is the uplift (as a fraction)?",
             "某活动实验组响应率8%,对照组5%。增量(uplift)是多少(用小数表示)?", 0.03, rtol=0.001),
    Question("m6.q05", "campaigns",
             "A campaign cost 10 000 yuan and brought 15 000 yuan of extra profit. What is its ROI = (gain − cost) / cost?",
             "某活动花费10000元,带来15000元额外利润。投资回报率 ROI = (收益 − 成本)/成本 是多少?", 0.5, rtol=0.001),
    Question("m6.q06", "triggers", "Which of these is an event-triggered marketing action?",
             "下列哪项属于事件触发营销?", "B",
             _o(("a spring sale for everyone", "面向所有人的春季促销"),
                ("a reminder sent when an order stays unpaid", "订单未付款时发送提醒"),
                ("a TV advertisement", "电视广告"), ("a yearly price list", "年度价目表"))),
    Question("m6.q07", "system_settings", "Which system function records who changed which customer record, and when?",
             "哪个系统功能记录谁在何时修改了哪条客户记录?", "C",
             _o(("data backup", "数据备份"), ("roles and permissions", "角色与权限"), ("audit log", "日志管理"),
                ("customer care", "客户关怀"))),
    Question("m6.q08", "system_settings", "A sales rep may view but not delete customers. Which system function enforces this?",
             "销售代表可以查看但不能删除客户。由哪个系统功能来保证?", "B",
             _o(("data backup", "数据备份"), ("roles and permissions", "角色与权限"), ("audit log", "日志管理"),
                ("the sales funnel", "销售漏斗"))),
]

_BY_ID = {q.id: q for q in QUESTIONS}
MODULES = ("m1", "m2", "m3", "m4", "m5", "m6")


def questions(module: str) -> list[Question]:
    """The questions of module ``"m1"``..``"m6"``."""
    module = str(module).lower()
    if module.isdigit():
        module = f"m{int(module)}"
    if module not in MODULES:
        raise NotFound("module", f"no quiz for {module!r}; modules are {list(MODULES)}")
    return [q for q in QUESTIONS if q.module == module]


def question(qid: str) -> Question:
    try:
        return _BY_ID[qid]
    except KeyError:
        raise NotFound("question", f"no quiz question {qid!r}") from None


def quiz_exercises(module: str):
    """The module's questions as exercises (fixed keys, one point each)."""
    from crmlab.teaching.exercises import Exercise

    return [Exercise(q.id, None, q.check(), q.concept, 1, q.en, q.zh, expected=q.answer)
            for q in questions(module)]


__all__ = ["Question", "QUESTIONS", "CONCEPTS", "MODULES", "questions", "question", "quiz_exercises"]
