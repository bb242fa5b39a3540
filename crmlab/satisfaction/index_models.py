"""Customer satisfaction index models (顾客满意指数模型) as structural equation models.

Three national index structures, fitted on the CSI survey items:

* **SCSB** (Swedish Customer Satisfaction Barometer, 瑞典, Fornell 1992): expectation EXP and
  perceived value PV → satisfaction SAT → complaints CMP and loyalty LOY (no perceived quality).
* **ACSI** (American Customer Satisfaction Index, 美国, Fornell et al. 1996): adds perceived
  quality PQ between expectation and value: EXP → PQ → PV → SAT → CMP → LOY, with EXP → PV, EXP →
  SAT, PQ → SAT and SAT → LOY.
* **CCSI** (China Customer Satisfaction Index, 中国, as the course material gives it): brand
  image IMG (品牌形象), EXP, PQ, PV, SAT, LOY and *no complaints node*; image → expectation,
  satisfaction and loyalty.
* ``"full"``: the simulator's own structure (ACSI plus image, ECSI-style), the only one that is
  exactly specified for simulated data; the others are what a researcher would fit.

Why semopy: it is a covariance-based SEM library with lavaan syntax (``=~`` measurement, ``~``
regression), maximum-likelihood estimates with standard errors, and fit statistics (CFI, RMSEA,
χ²) out of the box; it fits on the sample covariance matrix, so the time hardly grows with the
number of respondents. statsmodels has no latent-variable SEM, and PLS path modelling (the
ACSI's traditional estimator) has no maintained Python library with standard errors.

Estimates come back both raw (first loading of each latent fixed at 1) and standardised (latent
variances 1); the simulator plants standardised paths, so compare ``std_estimate`` with the truth.
``std_se`` rescales the raw standard error by sd(x)/sd(y), the usual delta-method approximation.

The 0–100 index (顾客满意指数) is computed the ACSI way: a weighted mean of the satisfaction items,
rescaled from the answer scale ``[lo, hi]`` to 0–100: ``index = 100·(Σ w_i·x̄_i − lo)/(hi − lo)``
with Σ w_i = 1.

>>> acsi_index(__import__("pandas").DataFrame({"sat1": [10, 1], "sat2": [10, 1]}), items=["sat1", "sat2"])
50.0
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from crmlab.errors import DataError
from crmlab.satisfaction.responses import check_scale

#: latent code → (English, Chinese)
LATENTS = {
    "IMG": ("image", "品牌形象"), "EXP": ("expectation", "预期质量"),
    "PQ": ("perceived quality", "感知质量"), "PV": ("perceived value", "感知价值"),
    "SAT": ("satisfaction", "顾客满意"), "CMP": ("complaints", "顾客抱怨"),
    "LOY": ("loyalty", "顾客忠诚"),
}

#: Structural paths of each index model: child → list of parents.
MODELS: dict[str, dict[str, list[str]]] = {
    "scsb": {"PV": ["EXP"], "SAT": ["EXP", "PV"], "CMP": ["SAT"], "LOY": ["SAT", "CMP"]},
    "acsi": {"PQ": ["EXP"], "PV": ["EXP", "PQ"], "SAT": ["EXP", "PQ", "PV"], "CMP": ["SAT"],
             "LOY": ["SAT", "CMP"]},
    "ccsi": {"EXP": ["IMG"], "PQ": ["EXP"], "PV": ["EXP", "PQ"], "SAT": ["IMG", "EXP", "PQ", "PV"],
             "LOY": ["IMG", "SAT"]},
    "full": {"EXP": ["IMG"], "PQ": ["EXP"], "PV": ["EXP", "PQ"], "SAT": ["IMG", "EXP", "PQ", "PV"],
             "CMP": ["SAT"], "LOY": ["IMG", "SAT", "CMP"]},
}
MODEL_NAMES = {"scsb": ("Swedish SCSB", "瑞典SCSB模型"), "acsi": ("American ACSI", "美国ACSI模型"),
               "ccsi": ("Chinese CCSI", "中国CCSI模型"), "full": ("ACSI + image (simulator)", "ACSI+品牌形象(模拟器结构)")}


def model_latents(model: str) -> list[str]:
    """Latent variables a model uses, in causal order."""
    paths = _paths(model)
    used = set(paths) | {p for ps in paths.values() for p in ps}
    return [v for v in LATENTS if v in used]


def _paths(model: str) -> dict[str, list[str]]:
    key = str(model).lower()
    if key not in MODELS:
        raise DataError("model", f"unknown index model {model!r}; choose one of {sorted(MODELS)}")
    return MODELS[key]


def default_items(columns: Sequence[str], latents: Sequence[str]) -> dict[str, list[str]]:
    """Items per latent by the simulator's naming (``img1``, ``pq2``, ``sat3`` ...)."""
    out = {}
    for v in latents:
        cols = [c for c in columns if c.rstrip("0123456789") == v.lower() and c != v.lower()]
        if len(cols) < 2:
            raise DataError(v, f"latent {v} needs at least two items, found {cols or 'none'} "
                               f"(expected columns like {v.lower()}1, {v.lower()}2)")
        out[v] = cols
    return out


def model_description(model: str = "acsi", items: Mapping[str, Sequence[str]] | None = None) -> str:
    """The model in lavaan / semopy syntax.

    >>> print(model_description("scsb", {v: [v.lower() + "1", v.lower() + "2"] for v in LATENTS}))
    EXP =~ exp1 + exp2
    PV =~ pv1 + pv2
    SAT =~ sat1 + sat2
    CMP =~ cmp1 + cmp2
    LOY =~ loy1 + loy2
    PV ~ EXP
    SAT ~ EXP + PV
    CMP ~ SAT
    LOY ~ SAT + CMP
    """
    paths = _paths(model)
    latents = model_latents(model)
    if items is None:
        items = {v: [f"{v.lower()}{i}" for i in (1, 2, 3)] for v in latents}
    lines = [f"{v} =~ " + " + ".join(items[v]) for v in latents]
    lines += [f"{child} ~ " + " + ".join(parents) for child, parents in paths.items()]
    return "\n".join(lines)


@dataclass
class IndexModelResult:
    """What :func:`satisfaction_index` returns."""

    model: str
    paths: pd.DataFrame            # lhs, rhs, estimate, se, z, p, std_estimate, std_se
    loadings: pd.DataFrame         # latent, item, estimate, std_estimate, se
    fit: dict                      # n, chi2, dof, cfi, tli, rmsea, ...
    index: float                   # 0-100 ACSI-style satisfaction index
    index_weights: dict            # item → weight used for the index
    scores: pd.DataFrame           # per-respondent latent scores (mean of items, rescaled 0-100)
    sem: object = field(repr=False, default=None)   # the fitted semopy.Model

    def path(self, lhs: str, rhs: str, standardised: bool = True) -> float:
        """One path coefficient, e.g. ``res.path("SAT", "PQ")`` for PQ → SAT."""
        row = self.paths[(self.paths["lhs"] == lhs) & (self.paths["rhs"] == rhs)]
        if row.empty:
            raise DataError(f"{rhs}->{lhs}", f"no such path in the {self.model.upper()} model")
        return float(row["std_estimate" if standardised else "estimate"].iloc[0])

    def summary(self) -> pd.DataFrame:
        """Path table with readable names (English and Chinese)."""
        t = self.paths.copy()
        t.insert(0, "path", t["rhs"] + " → " + t["lhs"])
        t.insert(1, "path_zh", t["rhs"].map(lambda v: LATENTS[v][1]) + " → " + t["lhs"].map(lambda v: LATENTS[v][1]))
        return t


def acsi_index(data: pd.DataFrame, items: Sequence[str] = ("sat1", "sat2", "sat3"),
               weights: Mapping[str, float] | Sequence[float] | None = None,
               scale: tuple[int, int] = (1, 10)) -> float:
    """ACSI-style 0–100 satisfaction index (顾客满意指数).

    ``index = 100·(Σ_i w_i·mean(x_i) − lo)/(hi − lo)``, weights normalised to sum to 1 (equal
    weights by default; ACSI uses the measurement model's weights, e.g. the standardised loadings).

    >>> import pandas as pd
    >>> acsi_index(pd.DataFrame({"sat1": [7, 7], "sat2": [1, 1]}), items=["sat1", "sat2"], weights=[3, 1])
    50.0
    """
    items = list(items)
    block = check_scale(data, items, scale)
    if weights is None:
        w = np.full(len(items), 1.0 / len(items))
    else:
        w = np.array([weights[i] for i in items] if isinstance(weights, Mapping) else list(weights), float)
        if len(w) != len(items) or (w < 0).any() or w.sum() <= 0:
            raise DataError("weights", "need one non-negative weight per item, not all zero")
        w = w / w.sum()
    lo, hi = scale
    return float(100.0 * (block.mean().to_numpy() @ w - lo) / (hi - lo))


def construct_scores(data: pd.DataFrame, latents: Sequence[str] = tuple(LATENTS),
                     items: Mapping[str, Sequence[str]] | None = None,
                     scale: tuple[int, int] = (1, 10)) -> pd.DataFrame:
    """Per respondent and construct: the mean of its items rescaled to 0–100,
    ``100·(mean − lo)/(hi − lo)``; keeps ``customer_id`` when present.

    >>> import pandas as pd
    >>> construct_scores(pd.DataFrame({"sat1": [10, 1], "sat2": [4, 1]}), ["SAT"]).round(2)["SAT"].tolist()
    [66.67, 0.0]
    """
    cols = [c for c in data.columns if c != "customer_id"]
    items = dict(items) if items is not None else default_items(cols, latents)
    block = check_scale(data, [i for v in latents for i in items[v]], scale)
    lo, hi = scale
    scores = pd.DataFrame({v: 100.0 * (block[items[v]].mean(axis=1) - lo) / (hi - lo) for v in latents},
                          index=block.index)
    if "customer_id" in data.columns:
        scores.insert(0, "customer_id", data["customer_id"].to_numpy())
    return scores


def satisfaction_index(data: pd.DataFrame, model: str = "acsi",
                       items: Mapping[str, Sequence[str]] | None = None,
                       scale: tuple[int, int] = (1, 10)) -> IndexModelResult:
    """Fit a satisfaction index model (SCSB / ACSI / CCSI / full) as an SEM with semopy.

    Parameters
    ----------
    data : DataFrame
        One row per respondent, one column per item (``survey_wide(db, "csi")``).
    model : {"scsb", "acsi", "ccsi", "full"}
    items : mapping latent → item columns, optional (default: by the names ``img1``, ``sat2`` ...).
    scale : (lo, hi) of the answers; out-of-scale or missing answers raise :class:`DataError`.

    Returns
    -------
    IndexModelResult with ``paths`` (estimate, se, p, std_estimate, std_se), ``loadings``,
    ``fit`` (cfi, rmsea, chi2, dof, n), ``index`` (0–100, weights = standardised SAT loadings).

    Examples
    --------
    >>> from crmlab.simulate import survey as sim          # doctest: +SKIP
    >>> res = satisfaction_index(survey_wide(db, "csi"), model="acsi")   # doctest: +SKIP
    >>> res.path("SAT", "PQ")                              # doctest: +SKIP
    0.36
    """
    import semopy

    latents = model_latents(model)
    cols = [c for c in data.columns if c != "customer_id"]
    items = dict(items) if items is not None else default_items(cols, latents)
    all_items = [i for v in latents for i in items[v]]
    block = check_scale(data, all_items, scale)
    if len(block) < 10 * len(latents):
        raise DataError("data", f"{len(block)} respondents are too few for a {len(latents)}-latent SEM "
                                f"(need at least {10 * len(latents)})")
    desc = model_description(model, items)
    sem = semopy.Model(desc)
    sem.fit(block)
    est = sem.inspect(std_est=True)
    est = est.rename(columns={"lval": "lhs", "rval": "rhs", "Estimate": "estimate", "Est. Std": "std_estimate",
                              "Std. Err": "se", "z-value": "z", "p-value": "p"})
    for c in ("estimate", "std_estimate", "se", "z", "p"):
        est[c] = pd.to_numeric(est[c], errors="coerce")
    reg = est[est["op"] == "~"]
    is_struct = reg["lhs"].isin(latents) & reg["rhs"].isin(latents)
    paths = reg[is_struct].copy()
    ratio = (paths["std_estimate"] / paths["estimate"]).where(paths["estimate"] != 0, np.nan)
    paths["std_se"] = paths["se"] * ratio.abs()
    paths = paths[["lhs", "rhs", "estimate", "se", "z", "p", "std_estimate", "std_se"]].reset_index(drop=True)
    load = reg[~is_struct].rename(columns={"rhs": "latent", "lhs": "item"})
    loadings = load[["latent", "item", "estimate", "se", "std_estimate"]].reset_index(drop=True)

    stats = semopy.calc_stats(sem).T["Value"]
    fit = {"n": int(len(block)), "chi2": float(stats["chi2"]), "dof": float(stats["DoF"]),
           "chi2_p": float(stats["chi2 p-value"]), "cfi": float(stats["CFI"]), "tli": float(stats["TLI"]),
           "rmsea": float(stats["RMSEA"]), "gfi": float(stats["GFI"]), "aic": float(stats["AIC"]),
           "bic": float(stats["BIC"])}

    sat_items = items["SAT"]
    w = loadings.set_index("item").loc[sat_items, "std_estimate"].clip(lower=0).to_numpy(float)
    weights = dict(zip(sat_items, w / w.sum()))
    index = acsi_index(block, sat_items, weights, scale)
    scores = construct_scores(data, latents, items, scale)
    return IndexModelResult(model=str(model).lower(), paths=paths, loadings=loadings, fit=fit, index=index,
                            index_weights=weights, scores=scores, sem=sem)


def compare_models(data: pd.DataFrame, models: Sequence[str] = ("scsb", "acsi", "ccsi"),
                   scale: tuple[int, int] = (1, 10)) -> pd.DataFrame:
    """Fit several index models on the same answers; one row per (model, path), plus fit indices.

    Paths a model lacks are simply absent; the ``cfi``/``rmsea``/``index`` columns repeat per model.
    """
    rows = []
    for m in models:
        res = satisfaction_index(data, model=m, scale=scale)
        t = res.paths[["lhs", "rhs", "std_estimate", "std_se", "p"]].copy()
        t.insert(0, "model", m)
        t["cfi"], t["rmsea"], t["index"] = res.fit["cfi"], res.fit["rmsea"], res.index
        rows.append(t)
    return pd.concat(rows, ignore_index=True)


def compare_with_truth(result: IndexModelResult, truth_paths: Sequence[Mapping]) -> pd.DataFrame:
    """Estimated standardised paths next to the planted ones (``truth.params["survey"]["csi"]["paths"]``).

    Returns lhs, rhs, planted, estimate, error (= estimate − planted); planted paths the model
    lacks get NaN estimates, fitted paths that were not planted get planted 0.
    """
    planted = pd.DataFrame(list(truth_paths))[["lhs", "rhs", "estimate"]].rename(columns={"estimate": "planted"})
    est = result.paths[["lhs", "rhs", "std_estimate"]].rename(columns={"std_estimate": "estimate"})
    out = planted.merge(est, on=["lhs", "rhs"], how="outer")
    out["planted"] = out["planted"].fillna(0.0)
    out["error"] = out["estimate"] - out["planted"]
    return out.sort_values(["lhs", "rhs"]).reset_index(drop=True)
