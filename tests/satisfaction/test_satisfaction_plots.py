"""Plots and widgets build headless from the model outputs (no browser, no display)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from crmlab import satisfaction as S  # noqa: E402
from crmlab.satisfaction import plots, widgets  # noqa: E402


@pytest.fixture(scope="module")
def parts(fake_survey):
    t = fake_survey.tables
    kano = S.kano_answers(S.survey_long(t, "kano"))
    return {"csi": S.survey_wide(t, "csi"), "kano": kano, "servqual": S.survey_long(t, "servqual")}


def test_path_diagram_labels_every_path(parts, fake_survey):
    res = S.satisfaction_index(parts["csi"], model="full")
    ax = plots.path_diagram(res, truth=fake_survey.truth["survey"]["csi"]["paths"])
    labels = [t.get_text() for t in ax.texts if "(" in t.get_text()]
    assert len(labels) == 12                              # one "estimate (planted)" per path
    plt.close("all")


def test_other_plots(parts):
    plots.servqual_gap_chart(S.servqual_gaps(parts["servqual"]))
    plots.kano_plot(S.kano_table(parts["kano"]))
    plots.nps_chart(S.nps([0, 9, 10, 7]))
    d = S.construct_scores(parts["csi"], ["LOY"]).assign(repeat_purchases=range(len(parts["csi"])))
    plots.loyalty_quadrant_plot(d, attitude="LOY")
    plt.close("all")


def test_widgets_build_headless(parts):
    box = widgets.kano_feature_picker(parts["kano"])
    pick = box.children[0]
    pick.value = pick.options[-1]                         # changing the feature re-renders
    d = S.construct_scores(parts["csi"], ["LOY"]).assign(repeat_purchases=range(len(parts["csi"])))
    w = widgets.loyalty_quadrant_widget(d, attitude="LOY")
    w.children[0].children[0].value = 50.0
    plt.close("all")
