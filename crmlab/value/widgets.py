"""Thin ipywidgets shells over crmlab.value functions (the formulas live in the model files).

Each function returns a widget box; in a headless run (papermill, nbval) it still builds and
renders its first state without failing.
"""
from __future__ import annotations

import pandas as pd

import importlib

from crmlab.errors import CrmlabError
from crmlab.headless import output_area
from crmlab.value import plots

# the package re-exports functions named like their modules (crmlab.value.clv is the function),
# so the modules are fetched by name
_ahp, _clv, _lc, _pareto, _pyr, _rfm = (importlib.import_module(f"crmlab.value.{n}")
                                        for n in ("ahp", "clv", "lifecycle", "pareto", "pyramid", "rfm"))

__all__ = ["clv_calculator", "lifecycle_explorer", "pareto_explorer", "rfm_explorer", "ahp_editor"]


def _show(out, fn):
    import matplotlib.pyplot as plt
    from IPython.display import display

    out.clear_output(wait=True)
    with out:
        try:
            res = fn()
            if res is not None:
                display(res)
            plt.show()
        except CrmlabError as exc:
            print(f"⚠ {exc}")


def clv_calculator(revenue: float = 1000.0, years: int = 5, r: float = 0.1, retention: float = 0.8):
    """Sliders for yearly revenue, years n, discount rate r and retention; table + chart update live."""
    import ipywidgets as w

    s_rev = w.FloatSlider(value=revenue, min=0, max=10000, step=100, description="I (yuan/yr)")
    s_n = w.IntSlider(value=years, min=1, max=20, description="n (years)")
    s_r = w.FloatSlider(value=r, min=0, max=0.5, step=0.01, description="r")
    s_ret = w.FloatSlider(value=retention, min=0, max=0.99, step=0.01, description="retention")
    out = output_area()

    def update(*_):
        def run():
            sched = _clv.clv_schedule([s_rev.value * s_ret.value ** t for t in range(1, s_n.value + 1)], s_r.value)
            plots.clv_plot(sched)
            print(f"CLV (retention-weighted) = {sched['present_value'].sum():,.2f} yuan; "
                  f"without churn = {_clv.clv([s_rev.value] * s_n.value, s_r.value):,.2f}")
            return sched.round(2)
        _show(out, run)

    for s in (s_rev, s_n, s_r, s_ret):
        s.observe(update, "value")
    update()
    return w.VBox([w.HBox([s_rev, s_n]), w.HBox([s_r, s_ret]), out])


def lifecycle_explorer(orders: pd.DataFrame, summary: pd.DataFrame, stages: pd.Series | None = None):
    """Pick a customer: see their stage and their purchase pattern by quarter."""
    import ipywidgets as w

    stages = stages if stages is not None else _lc.lifecycle_stage(summary)
    ids = list(summary.index[:500])
    dd = w.Dropdown(options=ids, value=ids[0], description="customer")
    out = output_area()

    def update(*_):
        def run():
            cid = dd.value
            st = stages.loc[cid]
            plots.lifecycle_plot(_lc.purchase_pattern(orders, cid),
                                 title=f"customer {cid}: {st} ({_lc.STAGES[st][0]} / {_lc.STAGES[st][1]})")
            return summary.loc[[cid]]
        _show(out, run)

    dd.observe(update, "value")
    update()
    return w.VBox([dd, out])


def pareto_explorer(data: pd.DataFrame, value: str = "amount", customer: str = "customer_id"):
    """Slide the top share: see what share of value it brings, and the count vs profit pyramid."""
    import ipywidgets as w

    s_top = w.FloatSlider(value=0.2, min=0.01, max=1.0, step=0.01, description="top share")
    levels = w.ToggleButtons(options=["four levels", "three levels"], value="four levels")
    out = output_area()
    curve = _pareto.pareto(data, value=value, customer=customer)

    def update(*_):
        def run():
            import matplotlib.pyplot as plt

            _, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4))
            plots.pareto_plot(curve, a1, mark=s_top.value)
            lv = _pyr.FOUR_LEVELS if levels.value == "four levels" else _pyr.THREE_LEVELS
            summ = _pyr.pyramid_summary(_pyr.pyramid(data, value=value, customer=customer, levels=lv))
            plots.pyramid_plot(summ, a2)
            return summ.round(3)
        _show(out, run)

    s_top.observe(update, "value")
    levels.observe(update, "value")
    update()
    return w.VBox([w.HBox([s_top, levels]), out])


def rfm_explorer(orders: pd.DataFrame, at=None):
    """Bins and weights → segment sizes and values."""
    import ipywidgets as w

    s_bins = w.IntSlider(value=5, min=2, max=9, description="bins")
    ws = [w.FloatSlider(value=1.0, min=0, max=3, step=0.1, description=f"w_{k}") for k in "RFM"]
    out = output_area()

    def update(*_):
        def run():
            scored = _rfm.rfm(orders, at=at, bins=s_bins.value, weights=[x.value for x in ws])
            plots.rfm_heatmap(scored)
            return _rfm.rfm_summary(scored).round(2)
        _show(out, run)

    for s in (s_bins, *ws):
        s.observe(update, "value")
    update()
    return w.VBox([w.HBox([s_bins, *ws]), out])


def ahp_editor(labels=("profit", "credit", "growth", "loyalty"), matrix=None):
    """Type the upper-triangle judgements: weights, λmax, CI and CR update as you type; warns at CR ≥ 0.1."""
    import ipywidgets as w

    labels = list(labels)
    n = len(labels)
    init = _ahp.matrix_from_weights([1.0] * n, labels) if matrix is None else pd.DataFrame(matrix, index=labels, columns=labels)
    boxes = {}
    rows = [w.HBox([w.Label("", layout=w.Layout(width="80px"))] + [w.Label(c, layout=w.Layout(width="80px")) for c in labels])]
    for i, a in enumerate(labels):
        cells = [w.Label(a, layout=w.Layout(width="80px"))]
        for j, b in enumerate(labels):
            if j > i:
                t = w.FloatText(value=float(init.iloc[i, j]), layout=w.Layout(width="80px"))
                boxes[(a, b)] = t
                cells.append(t)
            else:
                cells.append(w.Label("1" if i == j else "1/·", layout=w.Layout(width="80px")))
        rows.append(w.HBox(cells))
    out = output_area()
    state: dict = {}

    def update(*_):
        def run():
            m = _ahp.matrix_from_judgements(labels, {k: t.value for k, t in boxes.items()})
            res = _ahp.ahp(m)
            state.update(matrix=m, result=res, warning=not res.consistent)
            plots.ahp_plot(res)
            print(res)
            if not res.consistent:
                print("CR ≥ 0.1: the judgements are not consistent enough (一致性检验未通过); revise them.")
            return m.round(3)
        _show(out, run)

    for t in boxes.values():
        t.observe(update, "value")
    update()
    box = w.VBox(rows + [out])
    box.state = state          # the latest matrix, AHPResult and CR warning (for code and tests)
    return box
