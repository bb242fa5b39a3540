"""Survey domain of the simulator: CSI (satisfaction index), SERVQUAL, Kano and NPS questionnaires.

Writes ``survey_instruments``, ``survey_items``, ``survey_responses`` and ``survey_answers`` and
plants every parameter in ``ctx.truth["survey"]``. The generative model (equations and numbers)
is described in ``README-survey.md`` next to this file; in short:

* **CSI** (顾客满意指数): seven standardised latent variables (image IMG, expectation EXP,
  perceived quality PQ, perceived value PV, satisfaction SAT, complaints CMP, loyalty LOY) follow
  a recursive linear structural model η = Bη + ζ with planted standardised paths; each latent has
  three 1–10 items ``x = round(μ + s·(λ·η + √(1−λ²)·ε))`` clipped to the scale. Image carries part
  of the customer's attitudinal loyalty (``ctx.customers["attitude"]``) and LOY's disturbance
  carries the rest, so LOY tracks real repeat purchase while the SEM stays exactly specified.
* **SERVQUAL** (服务质量): 22 items in the five dimensions, each asked twice (expectation E,
  perception P) on 1–7; planted gap P − E per dimension.
* **Kano** (卡诺模型): eight product features, a functional and a dysfunctional question each
  (answers 1 like … 5 dislike); every respondent holds a category per feature drawn from a
  planted mix, and answers with a cell of the Kano evaluation table for that category.
* **NPS**: 0–10 likelihood to recommend, ``round(7.2 + 1.6·LOY + N(0, 1))`` clipped, asked of the
  CSI respondents.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

#: Respondents per instrument at most (a random sample of customers when there are more).
CSI_RESPONDENTS = 1500
SERVQUAL_RESPONDENTS = 1000
KANO_RESPONDENTS = 1000

LATENTS = ["IMG", "EXP", "PQ", "PV", "SAT", "CMP", "LOY"]
LATENT_NAMES = {
    "IMG": ("image", "品牌形象"), "EXP": ("expectation", "预期质量"),
    "PQ": ("perceived quality", "感知质量"), "PV": ("perceived value", "感知价值"),
    "SAT": ("satisfaction", "顾客满意"), "CMP": ("complaints", "顾客抱怨"),
    "LOY": ("loyalty", "顾客忠诚"),
}
#: Planted standardised structural paths (child ← parent): ACSI plus brand image (ECSI-style).
PATHS = {
    "EXP": {"IMG": 0.55},
    "PQ": {"EXP": 0.50},
    "PV": {"EXP": 0.15, "PQ": 0.50},
    "SAT": {"IMG": 0.20, "EXP": 0.10, "PQ": 0.35, "PV": 0.30},
    "CMP": {"SAT": -0.50},
    "LOY": {"IMG": 0.15, "SAT": 0.45, "CMP": -0.20},
}
#: Share of image that is the customer's attitudinal loyalty: IMG = c·attitude + √(1−c²)·u.
ATTITUDE_IN_IMAGE = 0.8

# code, construct, loading, mean on 1-10, English text, Chinese text
CSI_ITEMS = [
    ("img1", "IMG", 0.85, 7.0, "The brand is trustworthy", "该品牌值得信赖"),
    ("img2", "IMG", 0.80, 6.8, "The shop has a good reputation", "商城口碑良好"),
    ("img3", "IMG", 0.75, 6.5, "The brand stands for innovation", "品牌富有创新精神"),
    ("exp1", "EXP", 0.85, 7.2, "Before buying I expected high overall quality", "购买前对总体质量的预期"),
    ("exp2", "EXP", 0.80, 7.0, "Before buying I expected it to be reliable", "购买前对可靠性的预期"),
    ("exp3", "EXP", 0.75, 6.9, "Before buying I expected it to meet my needs", "购买前对满足个人需求的预期"),
    ("pq1", "PQ", 0.90, 6.8, "Overall quality of products and service", "对总体质量的感知"),
    ("pq2", "PQ", 0.85, 6.6, "Reliability of products and service", "对可靠性的感知"),
    ("pq3", "PQ", 0.80, 6.7, "How well it meets my needs", "对满足个人需求程度的感知"),
    ("pv1", "PV", 0.85, 6.4, "Quality given the price", "给定价格下对质量的评价"),
    ("pv2", "PV", 0.85, 6.2, "Price given the quality", "给定质量下对价格的评价"),
    ("pv3", "PV", 0.80, 6.5, "Worth the money", "物有所值"),
    ("sat1", "SAT", 0.90, 6.9, "Overall satisfaction", "总体满意程度"),
    ("sat2", "SAT", 0.85, 6.6, "Compared with what I expected", "与预期相比的满意程度"),
    ("sat3", "SAT", 0.80, 6.3, "Compared with an ideal shop", "与理想商城相比的满意程度"),
    ("cmp1", "CMP", 0.85, 3.8, "I complained to the shop", "向商城正式投诉的程度"),
    ("cmp2", "CMP", 0.80, 4.0, "I complained to friends and family", "向亲友抱怨的程度"),
    ("cmp3", "CMP", 0.75, 3.6, "I posted a negative review", "发布差评的程度"),
    ("loy1", "LOY", 0.90, 6.7, "I will buy here again", "再次购买的意愿"),
    ("loy2", "LOY", 0.80, 6.0, "I would stay if prices rose by 10%", "涨价10%后仍然购买的意愿"),
    ("loy3", "LOY", 0.85, 6.5, "I would recommend the shop", "向他人推荐的意愿"),
]
CSI_SCALE = (1, 10)
CSI_SD = 1.6   # item standard deviation before rounding, in scale points

SERVQUAL_SCALE = (1, 7)
# dimension: (Chinese name, weight, planted latent gap P−E, items)
SERVQUAL_DIMS = {
    "tangibles": ("可感知性", 0.11, -0.30, [
        ("Up-to-date app and website", "界面和网站现代化"), ("Attractive product pages", "商品页面美观"),
        ("Neat packaging", "包装整洁"), ("Clear order documents", "单据清晰")]),
    "reliability": ("可靠性", 0.32, -1.10, [
        ("Delivers when promised", "按承诺时间送达"), ("Sincere interest in solving problems", "真诚解决问题"),
        ("Right the first time", "第一次就做对"), ("Service at the promised time", "按承诺时间提供服务"),
        ("Error-free records", "记录准确无误")]),
    "responsiveness": ("反应性", 0.22, -0.80, [
        ("Tells exactly when things happen", "告知服务的准确时间"), ("Prompt service", "迅速提供服务"),
        ("Always willing to help", "总是愿意帮助顾客"), ("Never too busy to respond", "再忙也及时回应")]),
    "assurance": ("保证性", 0.19, -0.40, [
        ("Staff instil confidence", "客服值得信赖"), ("Safe transactions", "交易安全"),
        ("Courteous staff", "客服有礼貌"), ("Staff know the answers", "客服专业知识足够")]),
    "empathy": ("移情性", 0.16, -0.60, [
        ("Individual attention", "给予个别关注"), ("Convenient service hours", "服务时间方便"),
        ("Personal attention from staff", "客服给予个性化关怀"), ("Has my interests at heart", "以顾客利益为重"),
        ("Understands my needs", "了解顾客的具体需求")]),
}
SERVQUAL_E_MEAN = 5.4        # mean expectation on 1-7 (latent)
SERVQUAL_PERSON_SD = 0.6     # respondent effect, shared by a respondent's items of one facet
SERVQUAL_ITEM_SD = 0.8       # item-level noise

#: Kano answers (Berger et al. 1993): 1 like, 2 must-be, 3 neutral, 4 live-with, 5 dislike.
KANO_ANSWERS = {1: ("like", "喜欢"), 2: ("must-be", "理应如此"), 3: ("neutral", "无所谓"),
                4: ("live-with", "能忍受"), 5: ("dislike", "不喜欢")}
#: Functional answer (row) × dysfunctional answer (column) → category.
KANO_TABLE = [
    ["Q", "A", "A", "A", "O"],
    ["R", "I", "I", "I", "M"],
    ["R", "I", "I", "I", "M"],
    ["R", "I", "I", "I", "M"],
    ["R", "R", "R", "R", "Q"],
]
# feature code: (English, Chinese, planted category, planted share of that category)
KANO_FEATURES = {
    "next_day": ("Next-day delivery", "次日达配送", "O", 0.60),
    "free_returns": ("7-day no-reason returns", "七天无理由退货", "M", 0.62),
    "order_tracking": ("Real-time order tracking", "实时物流跟踪", "M", 0.58),
    "live_stream": ("Live-stream shopping", "直播购物", "A", 0.55),
    "ar_try_on": ("AR virtual try-on", "AR虚拟试穿", "A", 0.60),
    "points": ("Membership points", "会员积分", "I", 0.55),
    "invoice_pdf": ("Electronic invoice download", "电子发票下载", "I", 0.60),
    "popup_ads": ("Pop-up promotional ads", "弹窗促销广告", "R", 0.60),
}
KANO_Q_SHARE = 0.02          # contradictory (questionable) answers
KANO_CATS = ["A", "O", "M", "I", "R"]

NPS_MEAN, NPS_LOADING, NPS_NOISE = 7.2, 1.6, 1.0
NPS_SCALE = (0, 10)


# ------------------------------------------------------------------ helpers
def _latent_cov(paths: dict) -> tuple[np.ndarray, dict]:
    """Covariance of the standardised latents and the disturbance variance ψ of each."""
    k = len(LATENTS)
    idx = {v: i for i, v in enumerate(LATENTS)}
    cov = np.zeros((k, k))
    psi = {}
    for v in LATENTS:                                   # LATENTS is in causal order
        i = idx[v]
        beta = np.zeros(k)
        for p, b in paths.get(v, {}).items():
            beta[idx[p]] = b
        explained = float(beta @ cov @ beta)
        psi[v] = 1.0 - explained
        if psi[v] <= 0.05:
            raise ValueError(f"planted paths into {v} explain {explained:.2f} of its variance")
        cov[i, :] = beta @ cov                          # cov(η_i, η_j) for j already defined
        cov[:, i] = cov[i, :]
        cov[i, i] = 1.0
    return cov, psi


def _norm_cdf(x):
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(x, float) / math.sqrt(2.0)))


def expected_answer(mean: float, sd: float, lo: int, hi: int) -> float:
    """E[clip(round(X), lo, hi)] for X ~ N(mean, sd²): the exact mean of a simulated answer."""
    cuts = np.arange(lo, hi) + 0.5                     # boundaries between answer values
    cdf = _norm_cdf((cuts - mean) / sd)
    probs = np.diff(np.concatenate([[0.0], cdf, [1.0]]))
    return float(np.dot(np.arange(lo, hi + 1), probs))


def answer_probs(mean: float, sd: float, lo: int, hi: int) -> np.ndarray:
    cuts = np.arange(lo, hi) + 0.5
    cdf = _norm_cdf((cuts - mean) / sd)
    return np.diff(np.concatenate([[0.0], cdf, [1.0]]))


def _discrete(x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return np.clip(np.rint(x), lo, hi).astype(np.int64)


def _sample(rng, customer_ids: np.ndarray, n: int) -> np.ndarray:
    n = min(n, len(customer_ids))
    return np.sort(rng.choice(customer_ids, size=n, replace=False))


def _response_times(rng, customers: pd.DataFrame, ids: np.ndarray, now) -> np.ndarray:
    """Uniform over the last 90 days, never before the customer registered."""
    now = np.datetime64(now, "s")
    start = now - np.timedelta64(90, "D")
    if "registered_at" in customers.columns:
        reg = customers.set_index("customer_id").loc[ids, "registered_at"].to_numpy().astype("datetime64[s]")
        lo = np.minimum(np.maximum(reg, start), now - np.timedelta64(1, "D"))
    else:
        lo = np.full(len(ids), start)
    span = (now - lo).astype(np.int64)
    off = (rng.random(len(ids)) * np.maximum(span, 1)).astype(np.int64)
    return lo + off.astype("timedelta64[s]")


# ------------------------------------------------------------------ generator
def generate(ctx) -> None:
    """Write the four survey tables and plant ``ctx.truth["survey"]`` (see the module docstring)."""
    rng = ctx.rng("survey")
    customers = ctx.customers
    ids = customers["customer_id"].to_numpy(np.int64)
    if "is_prospect" in customers.columns:            # only people who have bought are surveyed
        ids = ids[~customers["is_prospect"].to_numpy(bool)]
    attitude = customers.set_index("customer_id")["attitude"]
    channels = np.array(["email", "sms", "app", "wechat"])

    instruments = {
        "csi": ("Customer satisfaction index survey", "顾客满意指数调查", CSI_SCALE,
                "Seven constructs of the ACSI / SCSB / CCSI models, three items each, 1 = lowest, 10 = highest."),
        "servqual": ("SERVQUAL service quality survey", "服务质量(SERVQUAL)调查", SERVQUAL_SCALE,
                     "Each of 22 items asked as expectation (E) and perception (P), 1 = strongly disagree, 7 = strongly agree."),
        "kano": ("Kano feature survey", "卡诺模型功能调查", (1, 5),
                 "Functional and dysfunctional question per feature: 1 like, 2 must-be, 3 neutral, 4 live-with, 5 dislike."),
        "nps": ("Net Promoter Score survey", "净推荐值调查", NPS_SCALE,
                "How likely are you to recommend us to a friend? 0 = not at all, 10 = extremely likely."),
    }
    inst_id = {code: i + 1 for i, code in enumerate(instruments)}
    ctx.write("survey_instruments", {
        "instrument_id": np.array(list(inst_id.values()), np.int64),
        "code": np.array(list(instruments)),
        "name": np.array([v[0] for v in instruments.values()]),
        "name_zh": np.array([v[1] for v in instruments.values()]),
        "scale_min": np.array([v[2][0] for v in instruments.values()], np.int64),
        "scale_max": np.array([v[2][1] for v in instruments.values()], np.int64),
        "description": np.array([v[3] for v in instruments.values()]),
    })

    items = []  # (instrument, code, construct, facet, text, text_zh, weight)
    for code, construct, _, _, en, zh in CSI_ITEMS:
        items.append(("csi", code, construct, None, en, zh, 1.0 / 3))
    sq_items = []
    for dim, (dzh, w, _, rows) in SERVQUAL_DIMS.items():
        for j, (en, zh) in enumerate(rows, start=1):
            base = f"{dim[:3]}{j}"
            sq_items.append((dim, base))
            for facet, pen, pzh in (("expectation", "Expected: ", "期望:"), ("perception", "Experienced: ", "感知:")):
                items.append(("servqual", f"{base}_{facet[0]}", dim, facet, pen + en, pzh + zh, w / len(rows)))
    for feat, (en, zh, _, _) in KANO_FEATURES.items():
        items.append(("kano", f"{feat}_f", feat, "functional",
                      f"How do you feel if the shop offers {en.lower()}?", f"如果提供{zh},您觉得如何?", None))
        items.append(("kano", f"{feat}_d", feat, "dysfunctional",
                      f"How do you feel if the shop does not offer {en.lower()}?", f"如果不提供{zh},您觉得如何?", None))
    items.append(("nps", "recommend", "LOY", None, "How likely are you to recommend us to a friend or colleague?",
                  "您向朋友或同事推荐我们的可能性有多大?", None))
    item_id = {(it[0], it[1]): i + 1 for i, it in enumerate(items)}
    ctx.write("survey_items", {
        "item_id": np.arange(1, len(items) + 1, dtype=np.int64),
        "instrument_id": np.array([inst_id[it[0]] for it in items], np.int64),
        "code": np.array([it[1] for it in items]),
        "construct": np.array([it[2] for it in items]),
        "facet": np.array([it[3] for it in items], dtype=object),
        "text": np.array([it[4] for it in items]),
        "text_zh": np.array([it[5] for it in items]),
        "weight": np.array([None if it[6] is None else float(it[6]) for it in items], dtype=object),
    })

    resp = {"response_id": [], "instrument_id": [], "customer_id": [], "responded_at": [], "channel": []}
    ans = {"response_id": [], "item_id": [], "value": []}
    next_rid = [1]

    def add_responses(code, cids):
        n = len(cids)
        rids = np.arange(next_rid[0], next_rid[0] + n, dtype=np.int64)
        next_rid[0] += n
        resp["response_id"].append(rids)
        resp["instrument_id"].append(np.full(n, inst_id[code], np.int64))
        resp["customer_id"].append(cids)
        resp["responded_at"].append(_response_times(rng, customers, cids, ctx.now))
        resp["channel"].append(channels[rng.integers(0, len(channels), n)])
        return rids

    def add_answers(rids, code, item_code, values):
        ans["response_id"].append(rids)
        ans["item_id"].append(np.full(len(rids), item_id[(code, item_code)], np.int64))
        ans["value"].append(np.asarray(values, np.int64))

    # ---- CSI: latent structural model
    cov, psi = _latent_cov(PATHS)
    csi_ids = _sample(rng, ids, CSI_RESPONDENTS)
    n = len(csi_ids)
    rids = add_responses("csi", csi_ids)
    a = attitude.loc[csi_ids].to_numpy(float)
    c = ATTITUDE_IN_IMAGE
    eta = {}
    u = rng.standard_normal(n)
    eta["IMG"] = c * a + math.sqrt(1 - c * c) * u
    # the part of attitude not in image: independent of IMG, standard normal
    w = (a - c * eta["IMG"]) / math.sqrt(1 - c * c)
    for v in LATENTS[1:]:
        zeta = w if v == "LOY" else rng.standard_normal(n)
        eta[v] = sum(b * eta[p] for p, b in PATHS[v].items()) + math.sqrt(psi[v]) * zeta
    lo, hi = CSI_SCALE
    item_truth = {}
    for code, construct, lam, mu, _, _ in CSI_ITEMS:
        x = mu + CSI_SD * (lam * eta[construct] + math.sqrt(1 - lam * lam) * rng.standard_normal(n))
        add_answers(rids, "csi", code, _discrete(x, lo, hi))
        item_truth[code] = {"construct": construct, "loading": lam, "mean": mu,
                            "expected_answer": expected_answer(mu, CSI_SD, lo, hi)}
    sat_items = [it[0] for it in CSI_ITEMS if it[1] == "SAT"]
    sat_expected = float(np.mean([item_truth[k]["expected_answer"] for k in sat_items]))
    csi_truth = {
        "latents": {k: {"name": LATENT_NAMES[k][0], "name_zh": LATENT_NAMES[k][1]} for k in LATENTS},
        "paths": [{"lhs": ch, "rhs": p, "estimate": b} for ch, ps in PATHS.items() for p, b in ps.items()],
        "disturbance_variance": psi,
        "latent_cov": {a_: {b_: float(cov[i, j]) for j, b_ in enumerate(LATENTS)} for i, a_ in enumerate(LATENTS)},
        "items": item_truth,
        "item_sd": CSI_SD, "scale": list(CSI_SCALE), "standardised": True,
        "attitude_in_image": c,
        "loy_attitude_corr": float(c * cov[0, LATENTS.index("LOY")] + math.sqrt(1 - c * c) * math.sqrt(psi["LOY"])),
        "sat_attitude_corr": float(c * cov[0, LATENTS.index("SAT")]),
        "index_expected": (sat_expected - lo) / (hi - lo) * 100.0,
        "n_respondents": int(n),
    }

    # ---- NPS: the same respondents, driven by LOY
    nps_rids = add_responses("nps", csi_ids)
    nps_x = NPS_MEAN + NPS_LOADING * eta["LOY"] + NPS_NOISE * rng.standard_normal(n)
    add_answers(nps_rids, "nps", "recommend", _discrete(nps_x, *NPS_SCALE))
    nps_sd = math.sqrt(NPS_LOADING ** 2 + NPS_NOISE ** 2)
    p = answer_probs(NPS_MEAN, nps_sd, *NPS_SCALE)
    nps_truth = {"mean": NPS_MEAN, "loy_loading": NPS_LOADING, "noise_sd": NPS_NOISE,
                 "promoter_share": float(p[9:].sum()), "passive_share": float(p[7:9].sum()),
                 "detractor_share": float(p[:7].sum()),
                 "nps": float(100 * (p[9:].sum() - p[:7].sum())), "n_respondents": int(n)}

    # ---- SERVQUAL
    sq_ids = _sample(rng, ids, SERVQUAL_RESPONDENTS)
    m = len(sq_ids)
    sq_rids = add_responses("servqual", sq_ids)
    slo, shi = SERVQUAL_SCALE
    pe = rng.standard_normal(m) * SERVQUAL_PERSON_SD          # how demanding the respondent is
    pp = rng.standard_normal(m) * SERVQUAL_PERSON_SD          # how well served they were
    item_sd = math.sqrt(SERVQUAL_PERSON_SD ** 2 + SERVQUAL_ITEM_SD ** 2)
    dims_truth = {}
    for dim, (dzh, wgt, gap, rows) in SERVQUAL_DIMS.items():
        e_exp, p_exp = [], []
        for j in range(1, len(rows) + 1):
            base = f"{dim[:3]}{j}"
            e_mu = SERVQUAL_E_MEAN + 0.1 * (j - 3)             # items differ a little
            p_mu = e_mu + gap
            ev = _discrete(e_mu + pe + SERVQUAL_ITEM_SD * rng.standard_normal(m), slo, shi)
            pv = _discrete(p_mu + pp + SERVQUAL_ITEM_SD * rng.standard_normal(m), slo, shi)
            add_answers(sq_rids, "servqual", f"{base}_e", ev)
            add_answers(sq_rids, "servqual", f"{base}_p", pv)
            e_exp.append(expected_answer(e_mu, item_sd, slo, shi))
            p_exp.append(expected_answer(p_mu, item_sd, slo, shi))
        dims_truth[dim] = {"name_zh": dzh, "weight": wgt, "latent_gap": gap,
                           "expected_E": float(np.mean(e_exp)), "expected_P": float(np.mean(p_exp)),
                           "gap": float(np.mean(p_exp) - np.mean(e_exp)), "n_items": len(rows)}
    sq_truth = {"dimensions": dims_truth, "scale": list(SERVQUAL_SCALE),
                "weighted_gap": float(sum(d["weight"] * d["gap"] for d in dims_truth.values())),
                "unweighted_gap": float(np.mean([d["gap"] for d in dims_truth.values()])),
                "n_respondents": int(m)}

    # ---- Kano
    kn_ids = _sample(rng, ids, KANO_RESPONDENTS)
    k = len(kn_ids)
    kn_rids = add_responses("kano", kn_ids)
    cells = {cat: [(f + 1, d + 1) for f in range(5) for d in range(5) if KANO_TABLE[f][d] == cat]
             for cat in KANO_CATS + ["Q"]}
    feats_truth = {}
    for feat, (en, zh, cat, share) in KANO_FEATURES.items():
        others = [x for x in KANO_CATS if x != cat]
        rest = (1 - share - KANO_Q_SHARE) / len(others)
        probs = {x: (share if x == cat else rest) for x in KANO_CATS}
        probs["Q"] = KANO_Q_SHARE
        cats = np.array(list(probs))
        drawn = rng.choice(cats, size=k, p=np.array(list(probs.values())))
        fv = np.empty(k, np.int64)
        dv = np.empty(k, np.int64)
        for x in cats:
            mask = drawn == x
            pairs = np.array(cells[x])
            pick = pairs[rng.integers(0, len(pairs), mask.sum())]
            fv[mask], dv[mask] = pick[:, 0], pick[:, 1]
        add_answers(kn_rids, "kano", f"{feat}_f", fv)
        add_answers(kn_rids, "kano", f"{feat}_d", dv)
        a_, o_, m_, i_ = (probs[x] for x in "AOMI")
        feats_truth[feat] = {"name": en, "name_zh": zh, "category": cat, "category_probs": probs,
                             "better": (a_ + o_) / (a_ + o_ + m_ + i_),
                             "worse": -(o_ + m_) / (a_ + o_ + m_ + i_)}
    kano_truth = {"features": feats_truth, "answers": {str(kk): v[0] for kk, v in KANO_ANSWERS.items()},
                  "table": KANO_TABLE, "n_respondents": int(k),
                  "answer_rule": "each respondent draws a category per feature, then a uniform cell of that category in the evaluation table"}

    ctx.write("survey_responses", {key: np.concatenate(v) for key, v in resp.items()})
    ctx.write("survey_answers", {key: np.concatenate(v) for key, v in ans.items()})
    ctx.truth["survey"] = {"csi": csi_truth, "nps": nps_truth, "servqual": sq_truth, "kano": kano_truth}
