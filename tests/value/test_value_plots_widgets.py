"""Plots draw and widgets build headless; the learned grading rule validates and applies."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from crmlab.errors import DataError
from crmlab.value import (ahp, clv_schedule, learn_grading, load_cdnow, pareto, pyramid, pyramid_summary, rfm,
                          summary_data_from_orders, lifecycle_stage)
from crmlab.value import plots, widgets


@pytest.fixture(scope="module")
def orders():
    rng = np.random.default_rng(5)
    n = 400
    cid = rng.integers(1, 80, n)
    return pd.DataFrame({"customer_id": cid, "amount": rng.gamma(2, 50, n).round(2),
                         "ordered_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")})


def test_plots_draw(orders):
    import matplotlib.pyplot as plt

    plots.pareto_plot(pareto(orders))
    plots.pyramid_plot(pyramid_summary(pyramid(orders, value="amount")))
    plots.clv_plot(clv_schedule([100, 120, 130], 0.1))
    plots.rfm_heatmap(rfm(orders))
    plots.ahp_plot(ahp([[1, 2], [0.5, 1]]))
    plots.calibration_plot(pd.DataFrame({"predicted": [2.0, 1.0], "actual": [1.8, 1.1]},
                                        index=pd.Index([1, 2], name="decile")))
    plt.close("all")


def test_widgets_build_headless(orders):
    import matplotlib.pyplot as plt

    s = summary_data_from_orders(orders)
    for box in (widgets.clv_calculator(), widgets.pareto_explorer(orders), widgets.rfm_explorer(orders),
                widgets.ahp_editor(), widgets.lifecycle_explorer(orders, s, lifecycle_stage(s))):
        assert box.children
    plt.close("all")


def test_ahp_editor_reports_inconsistency():
    box = widgets.ahp_editor(labels=("a", "b", "c"))
    texts = [c for row in box.children[1:-1] for c in row.children if hasattr(c, "value") and isinstance(c.value, float)]
    texts[0].value, texts[1].value, texts[2].value = 9.0, 1 / 9, 9.0          # a≫b, c≫a, b≫c: circular
    assert box.state["warning"] and box.state["result"].cr >= 0.1
    texts[0].value, texts[1].value, texts[2].value = 2.0, 4.0, 2.0            # consistent again
    assert not box.state["warning"]
    assert box.state["result"].weights.round(6).tolist() == [round(4 / 7, 6), round(2 / 7, 6), round(1 / 7, 6)]


def test_learned_grading_rule():
    rng = np.random.default_rng(0)
    n = 600
    d = pd.DataFrame({"spend": rng.gamma(2, 500, n), "orders": rng.poisson(5, n), "noise": rng.normal(size=n)})
    d["grade"] = np.where(d["spend"] > 1500, "key", np.where(d["spend"] > 500, "ordinary", "small"))
    rule = learn_grading(d, features=["spend", "orders", "noise"], label="grade", max_depth=3)
    assert rule.accuracy > 0.95
    assert rule.n_test == 180 and rule.confusion.to_numpy().sum() == 180
    new = pd.DataFrame({"spend": [100.0, 1000.0, 5000.0], "orders": [1, 5, 9], "noise": [0.0, 0.0, 0.0]})
    assert rule.predict(new).tolist() == ["small", "ordinary", "key"]
    assert "spend" in rule.rules()
    import matplotlib.pyplot as plt

    plots.tree_plot(rule)
    plt.close("all")
    with pytest.raises(DataError) as e:
        learn_grading(d.assign(grade="key"), features=["spend"], label="grade")
    assert e.value.field == "grade"
