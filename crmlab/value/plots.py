"""Pictures for M2/M3 with seaborn: each takes the table a crmlab.value function returns."""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["calibration_plot", "pareto_plot", "pyramid_plot", "clv_plot", "rfm_heatmap", "ahp_plot",
           "lifecycle_plot", "tree_plot", "kaism_plot"]


def _ax(ax, figsize=(6, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def calibration_plot(deciles: pd.DataFrame, ax=None, *, title="Predicted vs actual purchases by decile",
                     ylabel="mean purchases"):
    """Bars of mean predicted and actual hold-out values per decile (from ``score_predictions``)."""
    import seaborn as sns

    ax = _ax(ax)
    d = deciles.reset_index().melt(id_vars="decile", value_vars=["predicted", "actual"],
                                   var_name="series", value_name=ylabel)
    sns.barplot(data=d, x="decile", y=ylabel, hue="series", ax=ax)
    ax.set(title=title, xlabel="decile of predicted purchases (1 = highest)")
    return ax


def pareto_plot(curve: pd.DataFrame, ax=None, *, mark: float = 0.2):
    """Cumulative share of value against share of customers (the Pareto / Lorenz curve)."""
    import seaborn as sns

    ax = _ax(ax)
    x = np.r_[0, curve["customer_share"].to_numpy()]
    y = np.r_[0, curve["value_share"].to_numpy()]
    sns.lineplot(x=x, y=y, ax=ax, label="cumulative value share")
    ax.plot([0, 1], [0, 1], ls=":", color="grey", label="equal shares")
    k = max(1, int(np.floor(mark * len(curve) + 0.5)))
    ys = curve["value_share"].iloc[k - 1]
    ax.axvline(mark, ls="--", color="C3")
    ax.annotate(f"top {mark:.0%} → {ys:.0%} of value", (mark, ys), xytext=(mark + 0.05, ys - 0.15),
                arrowprops={"arrowstyle": "->"})
    ax.set(xlabel="share of customers (ranked by value)", ylabel="share of value", title="Pareto curve (二八法则)")
    ax.legend(loc="lower right")
    return ax


def pyramid_plot(summary: pd.DataFrame, ax=None):
    """Count pyramid vs profit pyramid: share of customers and share of value per level, side by side."""
    import seaborn as sns

    ax = _ax(ax, (7, 4))
    d = summary.reset_index().melt(id_vars=["level"], value_vars=["customer_share", "value_share"],
                                   var_name="pyramid", value_name="share")
    d["level"] = d["level"].astype(str)
    sns.barplot(data=d, y="level", x="share", hue="pyramid", orient="h", ax=ax)
    ax.set(title="Customer-count pyramid vs profit pyramid (客户金字塔)", xlabel="share")
    return ax


def clv_plot(schedule: pd.DataFrame, ax=None):
    """Yearly value and its present value, with the cumulative CLV line."""
    import seaborn as sns

    ax = _ax(ax)
    d = schedule.melt(id_vars="t", value_vars=["value", "present_value"], var_name="series", value_name="yuan")
    sns.barplot(data=d, x="t", y="yuan", hue="series", ax=ax)
    ax.plot(np.arange(len(schedule)), schedule["cumulative"], marker="o", color="C3", label="cumulative CLV")
    ax.set(xlabel="year t", title="CLV = Σ I_t / (1+r)^t")
    ax.legend()
    return ax


def rfm_heatmap(scored: pd.DataFrame, ax=None, *, value: str = "monetary"):
    """Mean ``value`` (or customer count with value=None) by R score × F score."""
    import seaborn as sns

    ax = _ax(ax)
    if value is None:
        tab = scored.pivot_table(index="R", columns="F", values="M", aggfunc="size", fill_value=0)
    else:
        tab = scored.pivot_table(index="R", columns="F", values=value, aggfunc="mean")
    sns.heatmap(tab.sort_index(ascending=False), annot=True, fmt=".0f", cmap="viridis", ax=ax)
    ax.set(title=f"RFM: mean {value or 'count'} by R and F score")
    return ax


def ahp_plot(result, ax=None):
    """Weights of an AHP result, with CR in the title."""
    import seaborn as sns

    ax = _ax(ax)
    sns.barplot(x=result.weights.to_numpy(), y=[str(i) for i in result.weights.index], orient="h", ax=ax)
    ok = "acceptable" if result.consistent else "revise (CR ≥ 0.1)"
    ax.set(xlabel="weight", title=f"AHP weights: λmax={result.lambda_max:.3f}, CR={result.cr:.3f} ({ok})")
    return ax


def lifecycle_plot(pattern: pd.DataFrame, ax=None, *, title="Purchase pattern"):
    """Purchases per period (bars) and spend (line) for one customer."""
    import seaborn as sns

    ax = _ax(ax)
    d = pattern.reset_index().rename(columns={"t": "period"})
    d["period"] = d["period"].dt.strftime("%Y-%m")
    sns.barplot(data=d, x="period", y="purchases", color="C0", ax=ax)
    ax2 = ax.twinx()
    ax2.plot(np.arange(len(d)), d["spend"], color="C3", marker="o")
    ax2.set_ylabel("spend (yuan)")
    ax.tick_params(axis="x", rotation=60)
    ax.set(title=title)
    return ax


def kaism_plot(graded: pd.DataFrame, ax=None, *, attractiveness="attractiveness", strength="strength"):
    import seaborn as sns

    ax = _ax(ax)
    sns.scatterplot(data=graded, x=strength, y=attractiveness, hue="quadrant", ax=ax)
    ax.set(title="KAISM: attractiveness × relative strength")
    return ax


def tree_plot(rule, ax=None):
    """Draw the learned grading tree (sklearn ``plot_tree``)."""
    from sklearn.tree import plot_tree

    ax = _ax(ax, (10, 5))
    plot_tree(rule.model, feature_names=list(rule.features), class_names=list(rule.model.classes_),
              filled=True, impurity=False, fontsize=8, ax=ax)
    return ax
