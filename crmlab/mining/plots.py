"""Pictures for data mining (seaborn; each returns the matplotlib Axes or Figure it drew on)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["rules_scatter", "lift_heatmap", "elbow_plot", "segment_scatter", "profile_heatmap",
           "roc_plot", "gain_plot", "tree_plot", "funnel_plot", "uplift_plot"]


_CJK = None


def _t(text: str) -> str:
    """Drop the Chinese gloss from a label when no CJK font is installed (it would print as boxes)."""
    global _CJK
    if _CJK is None:
        from matplotlib import font_manager

        names = {f.name for f in font_manager.fontManager.ttflist}
        _CJK = any(k in n for n in names for k in ("CJK", "Hei", "Song", "Kai", "WenQuanYi", "Han Sans", "YaHei"))
    if _CJK:
        return text
    text = re.sub(r"\s*\([^)]*[\u3000-\u9fff][^)]*\)", "", text)
    return re.sub(r"\s*[\u3000-\u9fff]+", "", text).strip()


def _ax(ax, figsize=(6, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def rules_scatter(rules: pd.DataFrame, ax=None):
    """Support (x) against confidence (y), coloured and sized by lift: the classic rules map."""
    import seaborn as sns

    ax = _ax(ax)
    sns.scatterplot(data=rules, x="support", y="confidence", hue="lift", size="lift", palette="viridis", ax=ax)
    ax.set(title=_t("Association rules (关联规则)"), xlabel=_t("support 支持度"), ylabel=_t("confidence 置信度"))
    return ax


def lift_heatmap(rules: pd.DataFrame, ax=None, max_items: int = 20):
    """Lift of single-item rules as an antecedent × consequent heat map (blank: no rule)."""
    import seaborn as sns

    ax = _ax(ax, (7, 6))
    pairs = rules[~rules["antecedent"].str.contains(r" \+ ") & ~rules["consequent"].str.contains(r" \+ ")]
    top = pd.unique(pd.concat([pairs["antecedent"], pairs["consequent"]]))[:max_items]
    pairs = pairs[pairs["antecedent"].isin(top) & pairs["consequent"].isin(top)]
    grid = pairs.pivot_table(index="antecedent", columns="consequent", values="lift")
    if grid.empty:
        ax.text(0.5, 0.5, "no rules at these thresholds", ha="center", va="center")
        ax.set_axis_off()
        return ax
    sns.heatmap(grid, annot=grid.shape[0] <= 12, fmt=".1f", cmap="rocket_r", center=1.0, ax=ax,
                cbar_kws={"label": _t("lift 提升度")})
    ax.set(title=_t("Lift heat map (提升度)"), xlabel=_t("consequent 后项"), ylabel=_t("antecedent 前项"))
    return ax


def elbow_plot(k_table: pd.DataFrame):
    """Inertia (elbow) and silhouette against k, side by side."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    sns.lineplot(data=k_table, x="k", y="inertia", marker="o", ax=a)
    a.set(title=_t("Elbow (肘部法则)"), ylabel="within-group sum of squares")
    sns.lineplot(data=k_table, x="k", y="silhouette", marker="o", ax=b, color="C1")
    b.set(title=_t("Silhouette (轮廓系数)"))
    fig.tight_layout()
    return fig


def segment_scatter(data: pd.DataFrame, features: list[str], by: str = "segment", ax=None, sample: int = 3000):
    """Customers on the first two principal components of the standardised features, coloured by group."""
    import seaborn as sns
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    ax = _ax(ax)
    d = data.sample(min(sample, len(data)), random_state=0) if len(data) > sample else data
    X = StandardScaler().fit_transform(d[features].astype(float))
    pc = PCA(n_components=min(2, X.shape[1]), random_state=0).fit_transform(X)
    y = pc[:, 1] if pc.shape[1] > 1 else np.zeros(len(pc))
    sns.scatterplot(x=pc[:, 0], y=y, hue=d[by].astype(str).to_numpy(), s=12, palette="tab10", ax=ax)
    ax.set(title=_t("Behaviour groups (行为分组)"), xlabel="PC1", ylabel="PC2")
    return ax


def profile_heatmap(profile: pd.DataFrame, by: str = "segment", ax=None):
    """Group profiles as a heat map of z-scores across groups (annotated with the raw means)."""
    import seaborn as sns

    ax = _ax(ax, (8, 3 + 0.3 * len(profile)))
    p = profile.set_index(by).drop(columns=["n", "share"], errors="ignore")
    z = (p - p.mean()) / p.std(ddof=0).replace(0, 1)
    sns.heatmap(z, annot=p.round(1), fmt="", cmap="vlag", center=0, ax=ax, cbar_kws={"label": "z-score"})
    ax.set(title=_t("Group profiles (客户理解)"))
    return ax


def roc_plot(result, ax=None):
    """ROC curves of the logistic regression, the tree and the baseline on the test frame."""
    import seaborn as sns
    from sklearn.metrics import roc_curve

    ax = _ax(ax, (5, 5))
    s = result.scores
    for col, name in (("p_logit", "logit"), ("p_tree", "tree"), ("baseline", "baseline")):
        fpr, tpr, _ = roc_curve(s[result.target], s[col])
        sns.lineplot(x=fpr, y=tpr, ax=ax, label=f"{name} (AUC {result.auc[name]:.3f})", errorbar=None)
    ax.plot([0, 1], [0, 1], ls=":", color="grey")
    ax.set(title=_t("ROC curve (ROC曲线)"), xlabel="false positive rate", ylabel="true positive rate")
    return ax


def gain_plot(result, ax=None):
    """Cumulative gain by decile (增益图) for each model against the random diagonal."""
    import seaborn as sns

    ax = _ax(ax)
    for m in ("logit", "tree", "baseline"):
        t = result.deciles(m)
        x = np.r_[0, t["decile"] / len(t)]
        sns.lineplot(x=x, y=np.r_[0, t["cum_gain"]], marker="o", ax=ax, label=m)
    ax.plot([0, 1], [0, 1], ls=":", color="grey")
    ax.set(title=_t("Cumulative gain (累积增益)"), xlabel="share of customers contacted", ylabel="share of positives caught")
    return ax


def tree_plot(result, ax=None, max_depth: int = 3):
    """Draw the fitted decision tree (决策树)."""
    from sklearn.tree import plot_tree

    ax = _ax(ax, (12, 6))
    plot_tree(result.tree, feature_names=result.features, class_names=["0", "1"], filled=True,
              max_depth=max_depth, impurity=False, proportion=True, fontsize=8, ax=ax)
    return ax


def funnel_plot(funnel_table: pd.DataFrame, ax=None):
    """Horizontal bars: opportunities reaching each stage, labelled with the conversion to the next."""
    import seaborn as sns

    ax = _ax(ax)
    sns.barplot(data=funnel_table, y="code", x="reached", orient="h", color="C0", ax=ax)
    for i, (n, c) in enumerate(zip(funnel_table["reached"], funnel_table["conversion"])):
        ax.text(n, i, f"  {n}" + ("" if pd.isna(c) else f"  → {c:.0%}"), va="center")
    ax.set(title=_t("Sales funnel (销售漏斗)"), xlabel="opportunities reaching the stage", ylabel="")
    return ax


def uplift_plot(uplift: pd.DataFrame, ax=None, label: str = "code"):
    """Uplift per campaign with its confidence interval."""
    ax = _ax(ax)
    lab = uplift[label] if label in uplift.columns else uplift["campaign_id"].astype(str)
    y = np.arange(len(uplift))
    ax.errorbar(uplift["uplift"], y, xerr=[uplift["uplift"] - uplift["ci_low"], uplift["ci_high"] - uplift["uplift"]],
                fmt="o", capsize=4)
    ax.axvline(0, color="grey", ls=":")
    ax.set_yticks(y, lab)
    ax.set(title=_t("Campaign uplift (增量响应率)"), xlabel="response treated − response control")
    return ax
