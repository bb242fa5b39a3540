"""Headless runs (``crmlab grade``): widgets print their first view into the cell, with no Output area.

A cell capturing output into an ``ipywidgets.Output`` could hang papermill until the cell timeout;
the grader's kernels run with ``CRMLAB_HEADLESS=1`` and crmlab's widgets then write straight to the
cell.
"""
from __future__ import annotations

import json

import ipywidgets as w
import nbformat
import pandas as pd
from crmlab import headless
from crmlab.satisfaction import widgets as sat_widgets
from crmlab.teaching import runner


def _kano_answers() -> pd.DataFrame:
    # two features; "fast" answered like/dislike by everyone → one-dimensional (O) in Kano's table
    rows = [{"respondent": i, "feature": "fast", "functional": 1, "dysfunctional": 5} for i in range(6)]
    rows += [{"respondent": i, "feature": "gift", "functional": 1, "dysfunctional": 3} for i in range(6)]
    return pd.DataFrame(rows)


def test_output_area_is_an_output_widget_unless_headless(monkeypatch):
    monkeypatch.delenv(headless.HEADLESS_ENV, raising=False)
    assert isinstance(headless.output_area(), w.Output)
    monkeypatch.setenv(headless.HEADLESS_ENV, "1")
    area = headless.output_area()
    assert not isinstance(area, w.Output) and isinstance(area, w.DOMWidget)
    monkeypatch.setenv(headless.HEADLESS_ENV, "0")
    assert isinstance(headless.output_area(), w.Output)


def test_a_headless_widget_prints_its_first_view_into_the_cell(monkeypatch, capsys):
    monkeypatch.setenv(headless.HEADLESS_ENV, "1")
    box = sat_widgets.kano_feature_picker(_kano_answers())
    out = capsys.readouterr().out
    assert "category: O" in out                                   # the first feature, "fast"
    assert not any(isinstance(c, w.Output) for c in box.children)
    monkeypatch.delenv(headless.HEADLESS_ENV)
    box = sat_widgets.kano_feature_picker(_kano_answers())
    assert any(isinstance(c, w.Output) for c in box.children)      # in a browser: a live Output area


def test_the_grading_runner_runs_kernels_headless(tmp_path, monkeypatch):
    monkeypatch.delenv(headless.HEADLESS_ENV, raising=False)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("# parameters\nx = 0", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import os\nprint('headless=' + os.environ.get('CRMLAB_HEADLESS', ''))")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src, dst, status = tmp_path / "in.ipynb", tmp_path / "out.ipynb", tmp_path / "status.json"
    nbformat.write(nb, src)
    assert runner.execute(src, dst, {"x": 1}, status, cell_timeout=120)["status"] == "ok"
    text = "".join(o.get("text", "") for c in nbformat.read(dst, 4).cells for o in c.get("outputs", []))
    assert "headless=1" in text
    assert json.loads(status.read_text())["status"] == "ok"
