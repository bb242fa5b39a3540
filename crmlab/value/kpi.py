"""KPI tree (KPI 指标树) of e-commerce sales, from the orders table.

Seed 003 writes 销售额 = 客户数 × 客单价 and 客单价 = 单次购买件数 × 平均件单价. Both hold exactly
only when every customer buys once; on real data crmlab uses the exact identity

    sales = buyers × orders per buyer × items per order × average item price

(销售额 = 购买客户数 × 人均订单数 × 单次购买件数 × 平均件单价), so 客单价 (sales per buyer) =
orders per buyer × items per order × average item price. The seed's list also tracks
拍下未付款 (placed-but-unpaid orders), reported beside the tree.

Sales count paid orders (status paid / shipped / delivered), amount = paid amount (实付金额).

>>> import pandas as pd
>>> o = pd.DataFrame({"customer_id": [1, 1, 2], "amount": [30., 50., 20.], "n_items": [1, 3, 1],
...                   "status": ["paid", "delivered", "shipped"]})
>>> kpi_tree(o)["value"].round(4).tolist()
[100.0, 2.0, 50.0, 1.5, 1.6667, 20.0, 0.0, 0.0]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.errors import DataError
from crmlab.value import _validate as v

__all__ = ["kpi_tree", "PAID_STATUSES"]

PAID_STATUSES = ("paid", "shipped", "delivered")


def kpi_tree(orders: pd.DataFrame, *, customer: str = "customer_id", amount: str = "amount",
             items: str = "n_items", status: str | None = "status", paid_statuses=PAID_STATUSES,
             unpaid_status: str = "placed") -> pd.DataFrame:
    """The KPI tree as a table: node, parent, value, formula and Chinese term.

    Rows: sales, buyers, sales per buyer (客单价), orders per buyer, items per order, average item
    price, unpaid orders and unpaid amount. sales = buyers × orders_per_buyer × items_per_order ×
    avg_item_price holds exactly (to float precision). Units: yuan, counts.
    """
    cols = [customer, amount, items] + ([status] if status else [])
    v.frame(orders, cols, name="orders")
    amt_all = v.numeric(orders, amount, money=True)
    items_all = v.numeric(orders, items, nonneg=True)
    if status:
        st = orders[status].to_numpy()
        paid = np.isin(st, list(paid_statuses))
        unpaid = st == unpaid_status
    else:
        paid = np.ones(len(orders), bool)
        unpaid = np.zeros(len(orders), bool)
    if not paid.any():
        raise DataError(status or amount, "no paid orders: the KPI tree has nothing to decompose")
    sales = float(amt_all[paid].sum())
    n_orders = int(paid.sum())
    n_items = float(items_all[paid].sum())
    if n_items <= 0:
        raise DataError(items, "paid orders hold no items")
    buyers = int(pd.unique(orders[customer].to_numpy()[paid]).size)
    rows = [
        ("sales", None, sales, "Σ paid amount", "销售额"),
        ("buyers", "sales", buyers, "distinct paying customers", "客户数"),
        ("sales_per_buyer", "sales", sales / buyers, "sales / buyers", "客单价"),
        ("orders_per_buyer", "sales_per_buyer", n_orders / buyers, "paid orders / buyers", "人均订单数"),
        ("items_per_order", "sales_per_buyer", n_items / n_orders, "items / paid orders", "单次购买件数"),
        ("avg_item_price", "sales_per_buyer", sales / n_items, "sales / items", "平均件单价"),
        ("unpaid_orders", None, int(unpaid.sum()), f"orders with status '{unpaid_status}'", "拍下未付款(单数)"),
        ("unpaid_amount", None, float(amt_all[unpaid].sum()), "their amount", "拍下未付款(金额)"),
    ]
    return pd.DataFrame(rows, columns=["node", "parent", "value", "formula", "term_zh"]).set_index("node")
