"""Behavioural segmentation (行为分组) by clustering, and what to do with the groups.

* ``choose_k``: the elbow (within-group sum of squares, 组内平方和) and the silhouette (轮廓系数,
  −1…1, higher = tighter, better separated groups) for a range of k.
* ``segment``: standardise (each feature to mean 0, sd 1; optionally log first, since money and
  counts are skewed) → k-means (default), a Gaussian mixture (``method="gmm"``) or Ward
  hierarchical clustering (``method="hierarchical"``).
* ``profile``: group profiles (客户理解): size, share, mean of each feature per group.
* ``cross_group``: cross-group analysis (组间交叉分析): pairs of customers whose descriptive data
  (age, income, city …) look alike but who sit in different behaviour groups of different value.
* ``difference_analysis``: customer difference analysis: potential (潜力), growth (成长) and problem
  (问题) customers.

>>> import pandas as pd
>>> df = pd.DataFrame({"customer_id": range(6), "x": [1.0, 1.1, 0.9, 9.0, 9.2, 8.8]})
>>> s = segment(df, ["x"], k=2, transform="none")
>>> s.labels.tolist()
[0, 0, 0, 1, 1, 1]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab.errors import DataError

__all__ = ["SegmentResult", "choose_k", "segment", "profile", "cross_group", "difference_analysis",
           "METHODS"]

METHODS = ("kmeans", "gmm", "hierarchical")
_HIERARCHICAL_MAX = 20_000   # Ward needs O(n²) memory


def _prepare(data: pd.DataFrame, features: list[str], transform: str) -> np.ndarray:
    from sklearn.preprocessing import StandardScaler

    if not isinstance(data, pd.DataFrame) or len(data) == 0:
        raise DataError("data", "no customers: the feature table is empty")
    if not features:
        raise DataError("features", "name at least one feature column to cluster on")
    missing = [f for f in features if f not in data.columns]
    if missing:
        raise DataError(missing[0], f"data has no feature column {missing[0]!r}")
    X = data[features].astype(float).to_numpy()
    if np.isnan(X).any():
        bad = features[int(np.isnan(X).any(axis=0).argmax())]
        raise DataError(bad, "has missing values; fill or drop them before clustering")
    if transform == "log":
        neg = (X < 0).any(axis=0)
        X = np.where(neg, X, np.log1p(np.clip(X, 0, None)))   # log only non-negative features
    elif transform != "none":
        raise DataError("transform", f"must be 'log' or 'none', got {transform!r}")
    return StandardScaler().fit_transform(X)


def _check_k(k: int, n: int) -> None:
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise DataError("k", f"must be a whole number ≥ 1, got {k!r}")
    if k > n:
        raise DataError("k", f"is {k} but there are only {n} customers: k cannot exceed the number of customers")


@dataclass
class SegmentResult:
    """Cluster labels (0 … k−1, ordered by the mean of the first feature) and the fitted model."""

    labels: pd.Series
    features: list[str]
    k: int
    method: str
    model: object
    data: pd.DataFrame          # the input with a ``segment`` column added

    def profile(self, columns: list[str] | None = None) -> pd.DataFrame:
        return profile(self.data, columns or self.features)


def segment(data: pd.DataFrame, features: list[str], k: int = 4, *, method: str = "kmeans",
            transform: str = "log", random_state: int = 0, n_init: int = 10) -> SegmentResult:
    """Cluster customers on ``features`` into ``k`` behaviour groups.

    Labels are renumbered so that group 0 has the lowest mean of ``features[0]`` (stable, readable
    numbering; the clustering itself is unchanged). ``n_init`` and ``random_state`` are pinned so
    the same data always give the same groups.
    """
    X = _prepare(data, features, transform)
    _check_k(k, len(X))
    if method == "kmeans":
        from sklearn.cluster import KMeans

        model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(X)
        raw = model.labels_
    elif method == "gmm":
        from sklearn.mixture import GaussianMixture

        model = GaussianMixture(n_components=k, n_init=max(1, n_init // 3), random_state=random_state).fit(X)
        raw = model.predict(X)
    elif method == "hierarchical":
        from sklearn.cluster import AgglomerativeClustering

        if len(X) > _HIERARCHICAL_MAX:
            raise DataError("method", f"hierarchical clustering needs memory ∝ n²; use it on ≤ {_HIERARCHICAL_MAX:,} "
                            f"customers (got {len(X):,}) or use 'kmeans'")
        model = AgglomerativeClustering(n_clusters=k, linkage="ward").fit(X)
        raw = model.labels_
    else:
        raise DataError("method", f"must be one of {METHODS}, got {method!r}")
    first = data[features[0]].astype(float).to_numpy()
    present = np.unique(raw)
    means = np.array([first[raw == c].mean() for c in present])
    remap = {c: i for i, c in enumerate(present[np.argsort(means, kind="stable")])}
    labels = pd.Series([remap[c] for c in raw], index=data.index, name="segment")
    return SegmentResult(labels, list(features), int(k), method, model, data.assign(segment=labels.to_numpy()))


def choose_k(data: pd.DataFrame, features: list[str], k_range=range(2, 9), *, transform: str = "log",
             random_state: int = 0, n_init: int = 10, sample: int | None = 5000) -> pd.DataFrame:
    """Elbow and silhouette for each k: columns ``k, inertia, silhouette``.

    Pick k at the bend of the inertia curve (肘部法则) where the silhouette is high. The silhouette
    is computed on a seeded sample of ``sample`` customers (it costs O(n²)).
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    X = _prepare(data, features, transform)
    rows = []
    for k in k_range:
        _check_k(k, len(X))
        km = KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(X)
        sil = np.nan
        if 1 < k < len(X):
            sil = silhouette_score(X, km.labels_, sample_size=min(sample or len(X), len(X)),
                                   random_state=random_state)
        rows.append({"k": k, "inertia": float(km.inertia_), "silhouette": float(sil)})
    return pd.DataFrame(rows)


def profile(data: pd.DataFrame, columns: list[str], by: str = "segment") -> pd.DataFrame:
    """Group profiles (客户理解): ``n``, ``share`` of customers, and the mean of each column per group.

    >>> df = pd.DataFrame({"segment": [0, 0, 1], "spend": [10.0, 20.0, 90.0]})
    >>> profile(df, ["spend"]).to_numpy().tolist()
    [[0.0, 2.0, 0.6666666666666666, 15.0], [1.0, 1.0, 0.3333333333333333, 90.0]]
    """
    if by not in data.columns:
        raise DataError(by, f"data has no group column {by!r}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise DataError(missing[0], f"data has no column {missing[0]!r}")
    g = data.groupby(by)
    out = g[columns].mean()
    out.insert(0, "share", g.size() / len(data))
    out.insert(0, "n", g.size())
    return out.reset_index()


def cross_group(data: pd.DataFrame, descriptors: list[str], *, by: str = "segment", value: str = "total_spend",
                id_col: str = "customer_id", min_value_ratio: float = 2.0,
                max_distance: float = 0.5) -> pd.DataFrame:
    """Cross-group analysis (组间交叉分析): look-alike customers in different behaviour groups.

    For each customer, find the customer with the nearest descriptive data (``descriptors``,
    standardised; categorical columns are one-hot encoded) who is in a *different* group; keep the
    pairs closer than ``max_distance`` (Euclidean, in standard deviations) whose ``value`` differs by
    at least ``min_value_ratio`` times; each row is the lower-value customer of a pair. These are the customers
    the seed singles out: "基本资料非常相似" yet groups of very different value — the low-value
    twin may be won over to the high-value behaviour. Columns: ``customer_id``, ``twin_id``, both
    groups and values, ``distance`` (in standard deviations), ``value_ratio``; sorted by distance.
    """
    from sklearn.neighbors import NearestNeighbors

    for c in [by, value, id_col, *descriptors]:
        if c not in data.columns:
            raise DataError(c, f"data has no column {c!r}")
    desc = pd.get_dummies(data[descriptors], dtype=float)
    if desc.isna().any().any():
        raise DataError(desc.columns[desc.isna().any()][0], "has missing values")
    Z = ((desc - desc.mean()) / desc.std(ddof=0).replace(0, 1)).to_numpy()
    groups = data[by].to_numpy()
    n_nb = min(len(Z), 25)
    dist, idx = NearestNeighbors(n_neighbors=n_nb).fit(Z).kneighbors(Z)
    other = groups[idx] != groups[:, None]
    has = other.any(axis=1)
    first = other.argmax(axis=1)
    rows = np.flatnonzero(has)
    twin = idx[rows, first[rows]]
    v = data[value].astype(float).to_numpy()
    hi, lo = np.maximum(v[rows], v[twin]), np.minimum(v[rows], v[twin])
    ratio = np.where(lo > 0, hi / np.where(lo > 0, lo, 1), np.inf)
    out = pd.DataFrame({id_col: data[id_col].to_numpy()[rows], "twin_id": data[id_col].to_numpy()[twin],
                        by: groups[rows], f"twin_{by}": groups[twin], value: v[rows], f"twin_{value}": v[twin],
                        "distance": dist[rows, first[rows]], "value_ratio": ratio})
    out = out[(out["value_ratio"] >= min_value_ratio) & (out[value] < out[f"twin_{value}"])
              & (out["distance"] <= max_distance)]
    return out.sort_values(["distance", id_col], kind="stable").reset_index(drop=True)


def difference_analysis(orders: pd.DataFrame, now=None, *, window_days: float = 180.0, customers=None,
                        growth: float = 0.5, drop: float = 0.5) -> pd.DataFrame:
    """Customer difference analysis (客户差异分析): potential, growth and problem customers.

    Compares each customer's spend in the last ``window_days`` before ``now`` (``spend_recent``)
    with the window before it (``spend_before``):

    * growth (成长客户): ``spend_recent ≥ (1 + growth) · spend_before`` and both > 0;
    * problem (问题客户): a customer who spent above the median before, and whose recent spend fell
      by at least ``drop`` (or to nothing) — a churn risk worth a call;
    * potential (潜力客户): new in the recent window (no spend before) with an order value above the
      median, or — when ``customers`` has ``potential_index`` — a top-quartile index and below-median spend;
    * stable: the rest.
    """
    for col in ("customer_id", "ordered_at", "amount"):
        if col not in orders.columns:
            raise DataError(col, f"orders has no column {col!r}")
    o = orders[orders["status"] != "cancelled"] if "status" in orders.columns else orders
    if len(o) == 0:
        raise DataError("orders", "no transactions: nothing to compare")
    t = pd.to_datetime(o["ordered_at"])
    now = t.max() if now is None else pd.Timestamp(now)
    w = pd.Timedelta(days=window_days)
    recent = o[(t > now - w) & (t <= now)].groupby("customer_id")["amount"].agg(["sum", "mean"])
    before = o[(t > now - 2 * w) & (t <= now - w)].groupby("customer_id")["amount"].sum()
    ids = recent.index.union(before.index)
    df = pd.DataFrame(index=ids)
    df["spend_before"] = before.reindex(ids).fillna(0.0)
    df["spend_recent"] = recent["sum"].reindex(ids).fillna(0.0)
    df["order_value_recent"] = recent["mean"].reindex(ids)
    df["change"] = df["spend_recent"] - df["spend_before"]
    kind = np.full(len(df), "stable", dtype=object)
    b, r = df["spend_before"].to_numpy(), df["spend_recent"].to_numpy()
    kind[(b > 0) & (r >= (1 + growth) * b)] = "growth"
    med_before = np.median(b[b > 0]) if (b > 0).any() else 0.0
    kind[(b > med_before) & (r <= (1 - drop) * b)] = "problem"
    new = (b == 0) & (r > 0) & (df["order_value_recent"].to_numpy() > np.nanmedian(df["order_value_recent"]))
    kind[new] = "potential"
    if customers is not None and "potential_index" in customers.columns:
        pi = customers.set_index("customer_id")["potential_index"].reindex(ids).to_numpy()
        tot = b + r
        high = pi >= np.nanquantile(pi, 0.75)
        kind[(kind == "stable") & high & (tot < np.median(tot))] = "potential"
    df["kind"] = kind
    return df.reset_index(names="customer_id")
