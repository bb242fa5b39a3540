"""Product categories and products, with the planted basket associations (啤酒与尿布)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.simulate.context import SimContext

# code, English, 中文, department, typical list price (yuan), cost ratio
CATEGORIES = [
    # free categories: the segments' departments (anchor items come from here)
    ("baby_food", "Baby food", "婴儿食品", "baby", 120, 0.70), ("toys", "Toys", "玩具", "baby", 90, 0.55),
    ("kids_clothing", "Kids' clothing", "童装", "baby", 110, 0.50), ("baby_care", "Baby care", "婴儿护理", "baby", 60, 0.60),
    ("headphones", "Headphones", "耳机", "electronics", 260, 0.65), ("keyboards", "Keyboards", "键盘", "electronics", 180, 0.60),
    ("power_banks", "Power banks", "充电宝", "electronics", 130, 0.55), ("smart_home", "Smart home", "智能家居", "electronics", 240, 0.60),
    ("skincare", "Skincare", "护肤品", "beauty", 210, 0.45), ("makeup", "Make-up", "彩妆", "beauty", 150, 0.45),
    ("clothing", "Clothing", "服装", "beauty", 230, 0.50), ("shoes", "Shoes", "鞋靴", "beauty", 280, 0.55),
    ("snacks", "Snacks", "零食", "home", 45, 0.70), ("kitchenware", "Kitchenware", "厨具", "home", 140, 0.60),
    ("cleaning", "Cleaning", "清洁用品", "home", 40, 0.65), ("tea", "Tea", "茶叶", "home", 160, 0.50),
    # planted association pairs (antecedent → consequent); independent of segment
    ("diapers", "Diapers", "尿布", "baby", 99, 0.70), ("beer", "Beer", "啤酒", "home", 60, 0.65),
    ("phone_cases", "Phone cases", "手机壳", "electronics", 39, 0.40),
    ("screen_protectors", "Screen protectors", "手机贴膜", "electronics", 25, 0.35),
    ("shampoo", "Shampoo", "洗发水", "beauty", 55, 0.55), ("conditioner", "Conditioner", "护发素", "beauty", 50, 0.55),
]

#: Planted pairs: P(A) = pi_a; P(B | A) = pi_b_given_a; P(B | not A) = pi_b_given_not_a, in every order,
#: independently of customer and segment, so the population lift is exact:
#: lift = P(B|A) / P(B), P(B) = pi_a·P(B|A) + (1 − pi_a)·P(B|¬A).
PAIRS = [
    {"antecedent": "diapers", "consequent": "beer", "pi_a": 0.08, "pi_b_given_a": 0.40, "pi_b_given_not_a": 0.06},
    {"antecedent": "phone_cases", "consequent": "screen_protectors", "pi_a": 0.10, "pi_b_given_a": 0.45,
     "pi_b_given_not_a": 0.05},
    {"antecedent": "shampoo", "consequent": "conditioner", "pi_a": 0.09, "pi_b_given_a": 0.50,
     "pi_b_given_not_a": 0.04},
]
EXTRA_ITEM_PROB = 0.35  # chance of a second item from the segment's distribution


def pair_truth() -> list[dict]:
    """Exact population support, confidence and lift of each planted pair (per order)."""
    out = []
    for p in PAIRS:
        p_b = p["pi_a"] * p["pi_b_given_a"] + (1 - p["pi_a"]) * p["pi_b_given_not_a"]
        out.append({
            "antecedent": p["antecedent"], "consequent": p["consequent"],
            "support_antecedent": p["pi_a"], "support_consequent": p_b,
            "support": p["pi_a"] * p["pi_b_given_a"], "confidence": p["pi_b_given_a"],
            "lift": p["pi_b_given_a"] / p_b,
            "p_consequent_given_not_antecedent": p["pi_b_given_not_a"],
        })
    return out


def generate(ctx: SimContext) -> None:
    rng = ctx.rng("catalog")
    zh = ctx.people.zh
    cats = pd.DataFrame(CATEGORIES, columns=["code", "name", "name_zh", "department", "price", "cost_ratio"])
    cats["product_category_id"] = np.arange(1, len(cats) + 1)
    ctx.write("product_categories", {c: cats[c].to_numpy() for c in
                                     ["product_category_id", "code", "name", "name_zh", "department"]})
    k = rng.integers(6, 13, size=len(cats))
    cat_idx = np.repeat(np.arange(len(cats)), k)
    n = len(cat_idx)
    ids = np.arange(1, n + 1)
    price = np.round(cats.price.to_numpy()[cat_idx] * np.exp(rng.normal(0, 0.35, n)), 0) - 0.1
    price = np.maximum(price, 4.9)
    cost = np.round(price * cats.cost_ratio.to_numpy()[cat_idx], 2)
    brands = ctx.people.companies(n, rng)
    brand_short = np.array([str(b)[:4] if zh else str(b).split()[0].strip(",") for b in brands], dtype=object)
    label = (cats.name_zh if zh else cats.name).to_numpy()[cat_idx]
    seq = np.concatenate([np.arange(1, m + 1) for m in k])
    products = pd.DataFrame({
        "product_id": ids,
        "sku": [f"SKU-{c.upper()[:6]}-{s:03d}" for c, s in zip(cats.code.to_numpy()[cat_idx], seq)],
        "name": [f"{b} {lbl} {s}" for b, lbl, s in zip(brand_short, label, seq)],
        "product_category_id": cat_idx + 1,
        "supplier_id": rng.integers(1, ctx.n_suppliers + 1, size=n),
        "list_price": price, "unit_cost": cost, "is_active": 1,
    })
    ctx.write_frame("products", products)
    ctx.products = products
    ctx.product_categories = cats
    ctx.truth["baskets"] = {
        "pairs": pair_truth(),
        "unit": "order (basket of product categories)",
        "extra_item_prob": EXTRA_ITEM_PROB,
        "note": "Pair categories are drawn in every order independently of the customer; each order also "
                "holds one anchor category (and, with extra_item_prob, a second) from the customer's segment "
                "department. Lifts are exact population values per order.",
    }
