"""Plots and widgets run headless and show what the functions compute."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd

from crmlab.mining import association_rules, churn_model, funnel, segment
from crmlab.mining import plots, widgets

BASKETS = [["beer", "diapers"], ["beer", "diapers", "milk"], ["beer"], ["milk", "bread"], ["bread", "diapers"]] * 4


def test_basket_view_filters_rules():
    rules = association_rules(BASKETS, min_support=0.05)
    table, fig = widgets.basket_view(rules, 0.3, 0.5)
    assert (table.support >= 0.3).all() and (table.confidence >= 0.5).all()
    assert set(zip(table.antecedent, table.consequent)) == {("beer", "diapers"), ("diapers", "beer")}
    assert fig.axes


def test_widgets_build_headless():
    box = widgets.basket_widget(BASKETS, floor_support=0.05)
    assert len(box.children) == 2
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": np.r_[rng.normal(0, 1, 30), rng.normal(8, 1, 30)], "b": rng.normal(0, 1, 60) ** 2})
    box = widgets.segment_widget(df, ["a", "b"], k=2)
    assert len(box.children) == 3
    prof, _ = widgets.segment_view(df, ["a"], 2)
    assert prof.n.tolist() == [30, 30]


def test_plots_draw():
    import matplotlib.pyplot as plt

    rules = association_rules(BASKETS, min_support=0.05)
    plots.rules_scatter(rules)
    plots.lift_heatmap(rules)
    rng = np.random.default_rng(1)
    n = 400
    df = pd.DataFrame({"customer_id": range(n), "recency_days": rng.exponential(100, n), "frequency": rng.poisson(3, n) + 1.0,
                       "tenure_days": rng.uniform(100, 700, n)})
    df["gap_ratio"] = df.recency_days / (df.tenure_days / df.frequency)
    df["churned"] = (rng.random(n) < 1 / (1 + np.exp(-(df.recency_days - 100) / 50))).astype(int)
    r = churn_model(df)
    plots.roc_plot(r); plots.gain_plot(r); plots.tree_plot(r)
    s = segment(df, ["recency_days", "frequency"], k=3)
    plots.segment_scatter(s.data, s.features); plots.profile_heatmap(s.profile())
    from crmlab.mining.segment import choose_k
    plots.elbow_plot(choose_k(df, ["recency_days", "frequency"], range(2, 4)))
    stages = pd.DataFrame({"stage_id": [1, 2, 3], "code": ["top", "won", "lost"], "seq": [1, 2, 3], "is_lost": [0, 0, 1]})
    hist = pd.DataFrame({"opportunity_id": [1, 1, 2], "from_stage_id": [None, 1, None], "to_stage_id": [1, 2, 1]})
    plots.funnel_plot(funnel(hist, stages))
    u = pd.DataFrame({"code": ["A"], "uplift": [0.1], "ci_low": [0.05], "ci_high": [0.15]})
    plots.uplift_plot(u)
    plt.close("all")
