"""Market baskets (购物篮): orders → the set of items each order holds → a one-hot table.

An item is a product category by default (the level at which shops place shelves and plan
cross-selling), or a single product (``level="product"``).

>>> import pandas as pd
>>> long = pd.DataFrame({"order_id": [1, 1, 2, 3, 3, 3], "item": ["beer", "diapers", "beer", "beer", "diapers", "milk"]})
>>> one_hot(long).astype(int).to_numpy().tolist()
[[1, 1, 0], [1, 0, 0], [1, 1, 1]]
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from crmlab.errors import DataError

__all__ = ["basket_items", "one_hot", "as_one_hot"]


def _need(df: pd.DataFrame, name: str, cols: Iterable[str]) -> None:
    if not isinstance(df, pd.DataFrame):
        raise DataError(name, f"expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataError(missing[0], f"{name} has no column {missing[0]!r} (columns: {', '.join(map(str, df.columns))})")


def basket_items(order_lines: pd.DataFrame, products: pd.DataFrame,
                 product_categories: pd.DataFrame | None = None, *, level: str = "category",
                 label: str = "code") -> pd.DataFrame:
    """The distinct items of each order: a long DataFrame ``order_id, item``.

    ``level="category"`` names each line by its product category (``product_categories[label]``,
    ``label`` = ``"code"``, ``"name"`` or ``"name_zh"``); ``level="product"`` by the product's ``sku``.
    An order that holds two products of one category counts the category once (a basket is a set).

    >>> lines = pd.DataFrame({"order_id": [1, 1, 2], "product_id": [10, 11, 10]})
    >>> products = pd.DataFrame({"product_id": [10, 11], "sku": ["A", "B"], "product_category_id": [1, 1]})
    >>> cats = pd.DataFrame({"product_category_id": [1], "code": ["beer"]})
    >>> basket_items(lines, products, cats)
       order_id  item
    0         1  beer
    1         2  beer
    """
    _need(order_lines, "order_lines", ["order_id", "product_id"])
    if len(order_lines) == 0:
        raise DataError("order_lines", "no transactions: the order lines are empty, so there are no baskets")
    if level == "product":
        _need(products, "products", ["product_id", "sku"])
        items = order_lines[["order_id", "product_id"]].merge(products[["product_id", "sku"]], on="product_id")
        items = items.rename(columns={"sku": "item"})
    elif level == "category":
        _need(products, "products", ["product_id", "product_category_id"])
        if product_categories is None:
            raise DataError("product_categories", "level='category' needs the product_categories table")
        _need(product_categories, "product_categories", ["product_category_id", label])
        items = (order_lines[["order_id", "product_id"]]
                 .merge(products[["product_id", "product_category_id"]], on="product_id")
                 .merge(product_categories[["product_category_id", label]], on="product_category_id"))
        items = items.rename(columns={label: "item"})
    else:
        raise DataError("level", f"must be 'category' or 'product', got {level!r}")
    out = items[["order_id", "item"]].drop_duplicates().sort_values(["order_id", "item"], kind="stable")
    return out.reset_index(drop=True)


def one_hot(data: pd.DataFrame, order: str = "order_id", item: str = "item") -> pd.DataFrame:
    """Baskets as a boolean one-hot DataFrame: one row per order, one column per item (独热编码).

    Cell ``[o, i]`` is True when order ``o`` holds item ``i``. This is the input mlxtend's
    apriori / fpgrowth expect. Columns are sorted by item name.
    """
    _need(data, "data", [order, item])
    if len(data) == 0:
        raise DataError(order, "no transactions: there are no order/item rows to build baskets from")
    codes_o, orders = pd.factorize(data[order], sort=True)
    codes_i, items = pd.factorize(data[item], sort=True)
    mat = np.zeros((len(orders), len(items)), dtype=bool)
    mat[codes_o, codes_i] = True
    return pd.DataFrame(mat, index=pd.Index(orders, name=order), columns=pd.Index(items, name=item))


def as_one_hot(data, order: str = "order_id", item: str = "item") -> pd.DataFrame:
    """Accept baskets in any usual shape and return the boolean one-hot table.

    ``data`` may be a one-hot DataFrame (bool or 0/1), a long DataFrame with ``order`` and ``item``
    columns, or a list of baskets (each a list/set of item names).
    """
    if isinstance(data, pd.DataFrame):
        if order in data.columns and item in data.columns:
            return one_hot(data, order, item)
        if len(data) == 0 or data.shape[1] == 0:
            raise DataError("data", "no transactions: the basket table is empty")
        values = data.to_numpy()
        if data.dtypes.map(lambda d: d == bool).all():
            return data
        if np.isin(values, [0, 1]).all():
            return data.astype(bool)
        raise DataError("data", f"expected a one-hot table of True/False (or 0/1), or columns {order!r} and {item!r}")
    if isinstance(data, (list, tuple)):
        if not data:
            raise DataError("data", "no transactions: the basket list is empty")
        items = sorted({x for basket in data for x in basket})
        pos = {x: j for j, x in enumerate(items)}
        mat = np.zeros((len(data), len(items)), dtype=bool)   # empty baskets still count as orders
        for i, basket in enumerate(data):
            mat[i, [pos[x] for x in basket]] = True
        return pd.DataFrame(mat, index=pd.RangeIndex(len(data), name=order), columns=pd.Index(items, name=item))
    raise DataError("data", f"expected a DataFrame or a list of baskets, got {type(data).__name__}")
