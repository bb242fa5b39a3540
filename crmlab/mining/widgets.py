"""Thin interactive shells over crmlab.mining (ipywidgets). Each widget's work is a plain function
(``basket_view``, ``segment_view``) so it can be tested and run headless; the widget only wires
sliders to it. Mining is done once; sliders re-filter the result, so they stay responsive.
"""
from __future__ import annotations

import pandas as pd

from crmlab.headless import output_area
from crmlab.mining.association import association_rules
from crmlab.mining.baskets import as_one_hot
from crmlab.mining.plots import lift_heatmap, segment_scatter
from crmlab.mining.segment import segment

__all__ = ["basket_view", "basket_widget", "segment_view", "segment_widget"]


def basket_view(rules: pd.DataFrame, min_support: float, min_confidence: float, top: int = 15):
    """Rules at the thresholds (top by lift) and a lift heat map; returns ``(table, figure)``."""
    import matplotlib.pyplot as plt

    keep = rules[(rules["support"] >= min_support) & (rules["confidence"] >= min_confidence)]
    cols = ["antecedent", "consequent", "support", "confidence", "lift", "leverage", "conviction"]
    table = keep[cols].head(top).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7, 5.5))
    lift_heatmap(keep, ax=ax)
    plt.close(fig)
    return table, fig


def basket_widget(data, floor_support: float = 0.005):
    """Support and confidence sliders → the rules table and the lift heat map."""
    import ipywidgets as w
    from IPython.display import display

    rules = association_rules(as_one_hot(data), min_support=floor_support, max_len=2)
    sup = w.FloatSlider(value=0.01, min=floor_support, max=0.2, step=0.005, readout_format=".3f",
                        description="support 支持度", style={"description_width": "initial"})
    conf = w.FloatSlider(value=0.2, min=0.0, max=1.0, step=0.05, description="confidence 置信度",
                         style={"description_width": "initial"})
    out = output_area()

    def show(*_):
        table, fig = basket_view(rules, sup.value, conf.value)
        out.clear_output(wait=True)
        with out:
            display(table)
            display(fig)

    sup.observe(show, "value")
    conf.observe(show, "value")
    show()
    return w.VBox([w.HBox([sup, conf]), out])


def segment_view(data: pd.DataFrame, features: list[str], k: int, method: str = "kmeans"):
    """Segment on ``features`` with ``k`` groups; returns ``(profile table, figure)``."""
    import matplotlib.pyplot as plt

    res = segment(data, list(features), k=k, method=method)
    prof = res.profile()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    if len(features) >= 1:
        segment_scatter(res.data, list(features), ax=ax)
    plt.close(fig)
    return prof, fig


def segment_widget(data: pd.DataFrame, features: list[str], k: int = 4):
    """Choose k and the features → group profiles and a picture of the groups."""
    import ipywidgets as w
    from IPython.display import display

    ks = w.IntSlider(value=k, min=2, max=10, description="k")
    feats = w.SelectMultiple(options=list(features), value=tuple(features), description="features", rows=min(8, len(features)))
    method = w.Dropdown(options=["kmeans", "gmm", "hierarchical"] if len(data) <= 20_000 else ["kmeans", "gmm"],
                        value="kmeans", description="method")
    out = output_area()

    def show(*_):
        out.clear_output(wait=True)
        with out:
            if not feats.value:
                print("choose at least one feature")
                return
            prof, fig = segment_view(data, list(feats.value), ks.value, method.value)
            display(prof.round(2))
            display(fig)

    for ctl in (ks, feats, method):
        ctl.observe(show, "value")
    show()
    return w.VBox([w.HBox([ks, method]), feats, out])
