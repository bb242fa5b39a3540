"""Users and roles, customer categories, customers (with their latent traits), suppliers, contacts."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from crmlab.db.io import format_codes
from crmlab.ops.permissions import ROLES, permission_rows
from crmlab.simulate.context import SimContext

# Staff of the simulated company: (username, role, team). Usernames are fixed so labs can say
# "log in as alice" in any locale; full names come from Faker.
STAFF = [
    ("admin", "admin", None),
    ("mia", "sales_manager", 1), ("max", "sales_manager", 2),
    ("alice", "sales_rep", 1), ("bob", "sales_rep", 1), ("carol", "sales_rep", 1), ("dave", "sales_rep", 1),
    ("erin", "sales_rep", 1), ("frank", "sales_rep", 2), ("grace", "sales_rep", 2), ("henry", "sales_rep", 2),
    ("ivy", "sales_rep", 2), ("jack", "sales_rep", 2),
    ("sam", "service_agent", None), ("tina", "service_agent", None), ("uma", "service_agent", None),
    ("victor", "service_agent", None),
    ("wendy", "analyst", None), ("xavier", "analyst", None),
]
TEAMS = {1: "East team 华东组", 2: "North team 华北组"}

CATEGORIES = [  # code, name, 重要/一般/潜在, 重点/基础/潜在, min annual spend (yuan), order
    ("important", "Important", "重要客户", "重点客户", None, 1),
    ("ordinary", "Ordinary", "一般客户", "基础客户", 1.0, 2),
    ("potential", "Potential", "潜在客户", "潜在客户", 0.0, 3),
]

#: Behavioural segments (行为分组): department they mostly buy from, preferred channel, shopping hour.
SEGMENTS = {
    "family": {"zh": "母婴家庭", "share": 0.30, "department": "baby", "channel": "app", "hour": 21.0},
    "tech": {"zh": "数码达人", "share": 0.20, "department": "electronics", "channel": "web", "hour": 23.5},
    "beauty": {"zh": "美妆时尚", "share": 0.25, "department": "beauty", "channel": "mini_program", "hour": 12.5},
    "home": {"zh": "居家生活", "share": 0.25, "department": "home", "channel": "store", "hour": 10.0},
}

ZH_PLACES = {
    "北京市": ["北京市"], "上海市": ["上海市"], "广东省": ["广州市", "深圳市", "东莞市", "佛山市"],
    "浙江省": ["杭州市", "宁波市", "温州市"], "江苏省": ["南京市", "苏州市", "无锡市"],
    "四川省": ["成都市", "绵阳市"], "湖北省": ["武汉市", "宜昌市"], "山东省": ["济南市", "青岛市", "烟台市"],
    "河南省": ["郑州市", "洛阳市"], "福建省": ["福州市", "厦门市"], "湖南省": ["长沙市", "株洲市"],
    "陕西省": ["西安市"], "重庆市": ["重庆市"], "天津市": ["天津市"], "辽宁省": ["沈阳市", "大连市"],
}
INDUSTRIES = ["retail", "wholesale", "manufacturing", "catering", "education", "healthcare", "logistics", "IT services"]
OCCUPATIONS_ZH = ["教师", "工程师", "医生", "销售", "会计", "公务员", "设计师", "学生", "自由职业", "程序员", "护士", "店主"]


def _places(ctx: SimContext, n: int, rng: np.random.Generator):
    if ctx.people.zh:
        pairs = [(p, c) for p, cities in ZH_PLACES.items() for c in cities]
        weights = np.array([4.0 if c in ("上海市", "北京市", "广州市", "深圳市", "杭州市") else 1.0 for _, c in pairs])
        idx = rng.choice(len(pairs), size=n, p=weights / weights.sum())
        prov = np.array([p for p, _ in pairs], dtype=object)[idx]
        city = np.array([c for _, c in pairs], dtype=object)[idx]
        return prov, city
    return ctx.people.places(n, rng)


def generate_staff(ctx: SimContext) -> None:
    rng = ctx.rng("staff")
    ctx.write("teams", {"team_id": list(TEAMS), "name": list(TEAMS.values())})
    codes = list(ROLES)
    ctx.write("roles", {"role_id": np.arange(1, len(codes) + 1), "code": codes,
                        "name": [ROLES[c][0] for c in codes], "name_zh": [ROLES[c][1] for c in codes]})
    role_id = {c: i + 1 for i, c in enumerate(codes)}
    rows = permission_rows()
    ctx.write("role_permissions", {"role_id": [role_id[r["role_code"]] for r in rows],
                                   "entity": [r["entity"] for r in rows], "action": [r["action"] for r in rows],
                                   "scope": [r["scope"] for r in rows]})
    n = len(STAFF)
    users = pd.DataFrame({
        "user_id": np.arange(1, n + 1),
        "username": [u for u, _, _ in STAFF],
        "full_name": ctx.people.names(n, rng),
        "email": [f"{u}@crm.example.com" for u, _, _ in STAFF],
        "role_id": [role_id[r] for _, r, _ in STAFF],
        "team_id": pd.array([t for _, _, t in STAFF], dtype="Int64"),
        "is_active": 1,
        "created_at": ctx.config.t_start - np.timedelta64(90, "D"),
    })
    ctx.write("users", {c: users[c].to_numpy() for c in users.columns})
    users["role_code"] = [r for _, r, _ in STAFF]
    ctx.users = users


def generate_categories(ctx: SimContext) -> None:
    ctx.write("customer_categories", {
        "category_id": [1, 2, 3], "code": [c[0] for c in CATEGORIES], "name": [c[1] for c in CATEGORIES],
        "name_zh": [c[2] for c in CATEGORIES], "name_zh_alt": [c[3] for c in CATEGORIES],
        "min_annual_spend": np.array([np.nan, 1.0, 0.0]), "sort_order": [c[5] for c in CATEGORIES],
    })


def generate_customers(ctx: SimContext) -> None:
    """Customers and their latent traits (the frame later domains build on).

    Latent traits (stored in ``truth_customers``): segment; attitude ~ N(0,1); price sensitivity
    ~ N(0,1); purchase rate λ ~ Gamma(r, rate α) per week; dropout probability p ~ Beta(a, b),
    linked to attitude by a Gaussian copula (loyal attitude → lower p, the Beta margin is exact);
    spend ν ~ Gamma(q, rate γ); credit risk.
    """
    cfg = ctx.config
    rng = ctx.rng("customers")
    n = cfg.n_customers
    ids = np.arange(ctx.first_customer_id, ctx.first_customer_id + n)
    codes = format_codes("C", ids, 6)

    seg_names = list(SEGMENTS)
    seg_p = np.array([SEGMENTS[s]["share"] for s in seg_names])
    segment = np.array(seg_names, dtype=object)[rng.choice(len(seg_names), size=n, p=seg_p)]
    is_company = rng.random(n) < cfg.company_share
    is_prospect = rng.random(n) < cfg.prospect_share

    attitude = rng.standard_normal(n)
    price_sens = rng.standard_normal(n)
    lam = rng.gamma(cfg.bgnbd_r, 1.0 / cfg.bgnbd_alpha, size=n)
    rho = cfg.attitude_dropout_corr
    u = stats.norm.cdf(-rho * attitude + np.sqrt(1 - rho ** 2) * rng.standard_normal(n))
    p_drop = stats.beta.ppf(np.clip(u, 1e-12, 1 - 1e-12), cfg.bgnbd_a, cfg.bgnbd_b)
    nu = rng.gamma(cfg.spend_q, 1.0 / cfg.spend_gamma, size=n)
    credit_risk = np.where(is_company, rng.beta(1.2, 5.0, size=n), rng.beta(1.0, 30.0, size=n))

    # registration (= first purchase for buyers) uniformly over the acquisition window
    reg_weeks = rng.uniform(0, cfg.acquisition_weeks, size=n)
    registered_at = ctx.weeks_to_time(reg_weeks)

    # descriptive data (描述性数据)
    prov, city = _places(ctx, n, rng)
    names = np.where(is_company, ctx.people.companies(n, rng), ctx.people.names(n, rng))
    age_years = np.clip(rng.normal(33, 9, size=n) + np.where(segment == "home", 8, 0)
                        - np.where(segment == "beauty", 4, 0), 18, 75)
    birth = (cfg.t_start - (age_years * 365.25 * 86400).astype(np.int64).astype("timedelta64[s]")).astype("datetime64[D]")
    female_p = np.select([segment == "beauty", segment == "family", segment == "tech"], [0.8, 0.65, 0.3], 0.5)
    gender = np.where(rng.random(n) < female_p, "F", "M").astype(object)
    marital = np.array(["single", "married", "divorced", "widowed"], dtype=object)[
        rng.choice(4, size=n, p=[0.35, 0.55, 0.08, 0.02])]
    marital[segment == "family"] = "married"
    household = np.where(segment == "family", 3 + rng.poisson(0.6, n), 1 + rng.poisson(1.2, n))
    income = np.round(np.exp(rng.normal(np.log(9000), 0.5, size=n)) / 100) * 100
    occupation = (ctx.people.jobs(n, rng) if not ctx.people.zh
                  else np.array(OCCUPATIONS_ZH, dtype=object)[rng.integers(0, len(OCCUPATIONS_ZH), n)])
    credit_rating = np.clip(np.round(100 * (1 - credit_risk) - rng.uniform(0, 15, n)), 0, 100).astype(int)

    reps = ctx.users.loc[ctx.users.role_code == "sales_rep", "user_id"].to_numpy()
    owner = reps[rng.integers(0, len(reps), size=n)]
    channels = np.array(["search", "social", "referral", "marketplace", "offline", "campaign"], dtype=object)
    acq = channels[rng.choice(len(channels), size=n, p=[0.3, 0.25, 0.15, 0.2, 0.05, 0.05])]

    def person_only(values):
        out = np.asarray(values, dtype=object).copy()
        out[is_company] = None
        return out

    def company_only(values):
        out = np.asarray(values, dtype=object).copy()
        out[~is_company] = None
        return out

    terms = rng.choice([30, 60, 90], size=n, p=[0.5, 0.35, 0.15])
    credit_limit = np.round(np.exp(rng.normal(np.log(50000), 0.6, size=n)) / 1000) * 1000
    bank = np.char.add("6222", rng.integers(10**11, 10**12 - 1, size=n, dtype=np.int64).astype(str)).astype(object)
    loyalty_index = np.round(np.clip(50 + 15 * attitude + rng.normal(0, 5, n), 0, 100), 1)
    potential_index = np.round(np.clip(100 * stats.gamma.cdf(lam, cfg.bgnbd_r, scale=1 / cfg.bgnbd_alpha), 0, 100), 1)

    customers = pd.DataFrame({
        "customer_id": ids, "customer_code": codes,
        "customer_type": np.where(is_company, "company", "person").astype(object),
        "name": names,
        "gender": person_only(gender), "birth_date": np.where(is_company, np.datetime64("NaT"), birth),
        "occupation": person_only(occupation), "monthly_income": np.where(is_company, np.nan, income),
        "marital_status": person_only(marital),
        "household_size": pd.array(np.where(is_company, -1, household), dtype="Int64"),
        "province": prov, "city": city, "address": ctx.people.addresses(n, rng),
        "phone": ctx.people.phones(n, rng), "email": ctx.people.emails(codes, rng),
        "credit_rating": credit_rating,
        "industry": company_only(np.array(INDUSTRIES, dtype=object)[rng.integers(0, len(INDUSTRIES), n)]),
        "bank_account": company_only(bank),
        "credit_limit": np.where(is_company, credit_limit, np.nan),
        "payment_terms_days": pd.array(np.where(is_company, terms, -1), dtype="Int64"),
        "loyalty_index": np.where(is_company, loyalty_index, np.nan),
        "potential_index": np.where(is_company, potential_index, np.nan),
        "new_product_affinity": np.where(is_company, np.round(rng.beta(2, 3, n), 3), np.nan),
        "owner_user_id": owner, "acquisition_channel": acq,
        "registered_at": registered_at, "marketing_opt_in": (rng.random(n) < 0.85).astype(int),
        "status": "active",
    })
    customers.loc[customers.household_size == -1, "household_size"] = pd.NA
    customers.loc[customers.payment_terms_days == -1, "payment_terms_days"] = pd.NA
    # latent traits: kept beside the visible columns for later domains, written to truth_customers
    customers["segment"] = segment
    customers["is_prospect"] = is_prospect
    customers["attitude"] = attitude
    customers["price_sensitivity"] = price_sens
    customers["purchase_rate"] = lam
    customers["dropout_prob"] = p_drop
    customers["spend_nu"] = nu
    customers["credit_risk"] = credit_risk
    customers["reg_weeks"] = reg_weeks
    ctx.customers = customers
    ctx.truth["segments"] = {
        "names": seg_names,
        "names_zh": {s: SEGMENTS[s]["zh"] for s in seg_names},
        "shares": {s: SEGMENTS[s]["share"] for s in seg_names},
        "department": {s: SEGMENTS[s]["department"] for s in seg_names},
        "channel": {s: SEGMENTS[s]["channel"] for s in seg_names},
        "hour": {s: SEGMENTS[s]["hour"] for s in seg_names},
        "segment_purity": cfg.segment_purity,
        "channel_purity": cfg.channel_purity,
        "signals": "anchor items come from the segment's department with probability segment_purity; "
                   "orders go through the segment's channel with probability channel_purity; 80% of orders "
                   "are placed within ±1.5 h of the segment's hour",
    }


def generate_suppliers(ctx: SimContext) -> None:
    rng = ctx.rng("suppliers")
    n = 20 + ctx.config.n_customers // 2000
    ids = np.arange(1, n + 1)
    prov, city = _places(ctx, n, rng)
    ctx.write("suppliers", {
        "supplier_id": ids,
        "supplier_code": np.char.add("S", np.char.zfill(ids.astype(str), 4)).astype(object),
        "name": ctx.people.companies(n, rng), "phone": ctx.people.phones(n, rng),
        "email": [f"sales{i}@supplier{i}.example.com" for i in ids],
        "province": prov, "city": city, "address": ctx.people.addresses(n, rng),
        "bank_account": np.char.add("6228", rng.integers(10**11, 10**12 - 1, size=n, dtype=np.int64).astype(str)),
        "rating": rng.integers(2, 6, size=n),
        "owner_user_id": ctx.users.loc[ctx.users.role_code == "sales_manager", "user_id"].to_numpy()[
            rng.integers(0, 2, size=n)],
        "status": "active",
        "created_at": ctx.config.t_start - np.timedelta64(60, "D"),
        "updated_at": ctx.config.t_start - np.timedelta64(60, "D"),
    })
    ctx.n_suppliers = n


BUYING_ROLES = ["user", "influencer", "decider", "approver", "buyer"]
JOB_TITLES = {"user": ("Office manager", "行政主管"), "influencer": ("Engineer", "技术工程师"),
              "decider": ("General manager", "总经理"), "approver": ("Finance director", "财务总监"),
              "buyer": ("Purchasing officer", "采购专员")}


def generate_contacts(ctx: SimContext) -> None:
    """Contacts: 2–4 at each business customer (with buying roles), 1–2 at each supplier."""
    rng = ctx.rng("contacts")
    comp = ctx.customers.loc[ctx.customers.customer_type == "company"]
    k = rng.integers(2, 5, size=len(comp))
    cust_ids = np.repeat(comp.customer_id.to_numpy(), k)
    rank = np.concatenate([np.arange(m) for m in k]) if len(k) else np.array([], dtype=int)
    roles = np.array(BUYING_ROLES, dtype=object)[(rank + rng.integers(0, 5, size=len(rank))) % 5]
    roles[rank == 0] = "buyer"
    n_sup = ctx.n_suppliers
    ks = rng.integers(1, 3, size=n_sup)
    sup_ids = np.repeat(np.arange(1, n_sup + 1), ks)
    rank_s = np.concatenate([np.arange(m) for m in ks])
    n = len(cust_ids) + len(sup_ids)
    zh = ctx.people.zh
    titles = np.array([JOB_TITLES[r][1 if zh else 0] for r in roles] +
                      [("销售经理" if zh else "Sales manager")] * len(sup_ids), dtype=object)
    ids = np.arange(1, n + 1)
    created = ctx.config.t_start - np.timedelta64(30, "D")
    frame = pd.DataFrame({
        "contact_id": ids,
        "customer_id": pd.array(np.concatenate([cust_ids, np.full(len(sup_ids), -1)]), dtype="Int64"),
        "supplier_id": pd.array(np.concatenate([np.full(len(cust_ids), -1), sup_ids]), dtype="Int64"),
        "name": ctx.people.names(n, rng), "job_title": titles,
        "buying_role": np.concatenate([roles, np.full(len(sup_ids), None, dtype=object)]),
        "phone": ctx.people.phones(n, rng),
        "email": np.char.add(np.char.add("contact", ids.astype(str)), "@partner.example.com").astype(object),
        "is_primary": np.concatenate([(rank == 0), (rank_s == 0)]).astype(int),
        "status": "active", "created_at": created, "updated_at": created,
    })
    frame.loc[frame.customer_id == -1, "customer_id"] = pd.NA
    frame.loc[frame.supplier_id == -1, "supplier_id"] = pd.NA
    ctx.write_frame("contacts", frame)
    ctx.contacts = frame
