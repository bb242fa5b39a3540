"""Thin ipywidgets shells over the M4 functions (they compute nothing themselves).

Both work headless (papermill, nbval): building a widget needs no browser; only the picture
updates need a live kernel.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from crmlab.headless import output_area
from crmlab.satisfaction import kano, loyalty, plots


def kano_feature_picker(answers: pd.DataFrame, feature: str = "feature"):
    """Pick a feature: see its 5×5 answer table, its category counts, Better/Worse and category.

    ``answers``: one row per respondent and feature (``kano.kano_answers(...)``).
    """
    import ipywidgets as w
    from IPython.display import display

    table = kano.kano_table(answers, feature=feature)
    options = list(table[feature])
    pick = w.Dropdown(options=options, value=options[0], description="feature")
    out = output_area()

    def show(change=None):
        out.clear_output(wait=True)
        with out:
            f = pick.value
            row = table[table[feature] == f].iloc[0]
            display(kano.answer_table(answers, f, feature=feature))
            cat = row["category"]
            print(f"category: {cat} = {kano.CATEGORIES[cat][0]} ({kano.CATEGORIES[cat][1]});  "
                  f"Better {row['better']:.2f}, Worse {row['worse']:.2f}")
            display(row[list(kano.CATEGORIES)].to_frame("respondents").T)

    pick.observe(show, names="value")
    show()
    return w.VBox([pick, out])


def loyalty_quadrant_widget(data: pd.DataFrame, attitude: str = "attitude", repeat: str = "repeat_purchases"):
    """Two sliders move the attitude and repeat-purchase thresholds; the quadrant shares and the
    scatter follow."""
    import ipywidgets as w
    from IPython.display import display

    a, r = data[attitude].astype(float), data[repeat].astype(float)
    sa = w.FloatSlider(value=float(a.median()), min=float(a.min()), max=float(a.max()),
                       step=(float(a.max()) - float(a.min())) / 100 or 0.01, description="attitude >")
    sr = w.FloatSlider(value=float(r.median()), min=float(r.min()), max=float(r.quantile(0.99)),
                       step=0.5, description="repeat >")
    out = output_area()

    def show(change=None):
        out.clear_output(wait=True)
        with out:
            q = loyalty.loyalty_quadrant(data, attitude, repeat, sa.value, sr.value)
            display(loyalty.quadrant_shares(q))
            fig, ax = plt.subplots(figsize=(5.5, 4))
            plots.loyalty_quadrant_plot(data, attitude, repeat, sa.value, sr.value, ax=ax)
            plt.show()

    sa.observe(show, names="value")
    sr.observe(show, names="value")
    show()
    return w.VBox([w.HBox([sa, sr]), out])
