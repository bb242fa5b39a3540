"""Pictures for module M4: SEM path diagram, SERVQUAL gap chart, Kano Better–Worse map, NPS bar,
loyalty quadrant and cohort retention heat map. Every function takes the DataFrame (or result)
the matching model function returns and an optional matplotlib ``ax``; it returns the ``ax``."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from crmlab.satisfaction.index_models import LATENTS, MODEL_NAMES, model_latents

#: Where each latent sits in the path diagram (x, y).
_POS = {"IMG": (4.2, 3.9), "EXP": (0.0, 3.0), "PQ": (0.0, 0.6), "PV": (2.1, 1.8),
        "SAT": (4.2, 1.8), "CMP": (6.3, 3.0), "LOY": (6.3, 0.6)}


def path_diagram(result, ax=None, truth=None, standardised: bool = True):
    """Draw an index model's latents and structural paths with the estimates on the arrows.

    ``truth``: the planted paths (``truth.params["survey"]["csi"]["paths"]``); when given each
    label reads ``estimate (planted)``. Stars mark p < 0.05.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 5))
    latents = model_latents(result.model)
    planted = {(p["lhs"], p["rhs"]): p["estimate"] for p in truth} if truth else {}
    for v in latents:
        x, y = _POS[v]
        ax.add_patch(plt.matplotlib.patches.Ellipse((x, y), 1.15, 0.62, facecolor="#dbe9f6", edgecolor="#2b5d8a"))
        ax.text(x, y + 0.07, v, ha="center", va="center", fontsize=11, weight="bold")
        ax.text(x, y - 0.15, LATENTS[v][0], ha="center", va="center", fontsize=7.5)
    col = "std_estimate" if standardised else "estimate"
    for _, r in result.paths.iterrows():
        (x0, y0), (x1, y1) = _POS[r["rhs"]], _POS[r["lhs"]]
        d = np.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / d, (y1 - y0) / d
        s, e = (x0 + 0.55 * ux, y0 + 0.33 * uy), (x1 - 0.58 * ux, y1 - 0.34 * uy)
        ax.annotate("", xy=e, xytext=s, arrowprops=dict(arrowstyle="-|>", color="#444", lw=1.3))
        label = f"{r[col]:.2f}" + ("*" if r["p"] < 0.05 else "")
        if (r["lhs"], r["rhs"]) in planted:
            label += f" ({planted[(r['lhs'], r['rhs'])]:.2f})"
        t = 0.3 if r["rhs"] == "IMG" else 0.5          # image's long arrows cross others mid-way
        mx, my = s[0] + t * (e[0] - s[0]), s[1] + t * (e[1] - s[1])
        ax.text(mx, my, label, fontsize=8.5, ha="center", va="center",
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.9))
    ax.set_xlim(-0.7, 7.0)
    ax.set_ylim(0.1, 4.4)
    ax.set_aspect("equal")
    ax.axis("off")
    title = MODEL_NAMES.get(result.model, (result.model,))[0]
    fit = result.fit
    ax.set_title(f"{title}: CFI {fit['cfi']:.3f}, RMSEA {fit['rmsea']:.3f}, index {result.index:.1f}"
                 + ("  [estimate (planted)]" if planted else ""), fontsize=10)
    return ax


def servqual_gap_chart(gaps: pd.DataFrame, ax=None):
    """Expectation vs perception bars per dimension, with the gap P − E written above each pair."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.8))
    long = gaps.melt(id_vars="dimension", value_vars=["E", "P"], var_name="facet", value_name="mean answer")
    long["facet"] = long["facet"].map({"E": "expectation E", "P": "perception P"})
    sns.barplot(data=long, x="dimension", y="mean answer", hue="facet", ax=ax, palette=["#9ecae1", "#3182bd"])
    for i, (_, r) in enumerate(gaps.iterrows()):
        ax.text(i, max(r["E"], r["P"]) + 0.1, f"Q = {r['gap']:+.2f}", ha="center", fontsize=9,
                color="#b30000" if r["gap"] < 0 else "#006d2c")
    ax.set_ylim(1, 7.6)
    ax.set_title("SERVQUAL gap Q = P − E per dimension")
    ax.legend(loc="lower right", fontsize=8)
    return ax


def kano_plot(table: pd.DataFrame, ax=None):
    """Better (y) vs |Worse| (x) per feature with the 0.5 lines; colour = modal category."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    d = table.assign(abs_worse=table["worse"].abs())
    sns.scatterplot(data=d, x="abs_worse", y="better", hue="category", s=80, ax=ax)
    for _, r in d.iterrows():
        ax.annotate(str(r["feature"]), (r["abs_worse"], r["better"]), fontsize=8, xytext=(4, 4),
                    textcoords="offset points")
    ax.axhline(0.5, color="grey", lw=0.8)
    ax.axvline(0.5, color="grey", lw=0.8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("|Worse| (dissatisfaction if absent)")
    ax.set_ylabel("Better (satisfaction if present)")
    ax.set_title("Kano Better–Worse map")
    return ax


def nps_chart(result: dict, ax=None):
    """One stacked bar: detractors, passives, promoters, with the NPS in the title."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 1.8))
    left = 0.0
    for key, colour in (("detractors", "#d7301f"), ("passives", "#bdbdbd"), ("promoters", "#31a354")):
        ax.barh([0], [result[key]], left=left, color=colour, label=f"{key} {result[key]:.0%}")
        left += result[key]
    ax.set_xlim(0, 1)
    ax.set_yticks([])
    ax.legend(ncol=3, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.25))
    ax.set_title(f"NPS = {result['nps']:.1f}")
    return ax


def loyalty_quadrant_plot(data: pd.DataFrame, attitude: str = "attitude", repeat: str = "repeat_purchases",
                          attitude_threshold=None, repeat_threshold=None, ax=None):
    """Scatter of attitude × repeat purchase coloured by quadrant, with the threshold lines."""
    from crmlab.satisfaction.loyalty import loyalty_quadrant

    q = loyalty_quadrant(data, attitude, repeat, attitude_threshold, repeat_threshold)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5))
    at = q[attitude].median() if attitude_threshold is None else attitude_threshold
    rt = q[repeat].median() if repeat_threshold is None else repeat_threshold
    jitter = np.random.default_rng(0).uniform(-0.25, 0.25, len(q))   # counts overlap; fixed jitter
    sns.scatterplot(x=q[repeat] + jitter, y=q[attitude], hue=q["quadrant"], s=12, alpha=0.6, ax=ax,
                    hue_order=["loyal", "latent", "spurious", "none"])
    ax.axhline(at, color="k", lw=0.8)
    ax.axvline(rt, color="k", lw=0.8)
    ax.set_xlabel(f"{repeat} (behaviour)")
    ax.set_ylabel(f"{attitude} (attitude)")
    ax.set_title("Loyalty quadrant: attitude × repeat purchase")
    return ax


def cohort_heatmap(table: pd.DataFrame, ax=None):
    """Heat map of a cohort retention table (:func:`crmlab.satisfaction.loyalty.cohort_retention`)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    sns.heatmap(table, annot=table.shape[1] <= 12, fmt=".0%", cmap="Blues", vmin=0, vmax=1, ax=ax, cbar=False)
    ax.set_title("Retention by cohort")
    ax.set_ylabel("cohort (first purchase)")
    return ax
