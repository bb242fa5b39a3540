"""Quiz widgets: a click gives instant feedback and lands where headless grading reads it."""
import json
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))

import crmlab  # noqa: E402
from crmlab.teaching import answers as answers_mod  # noqa: E402
from crmlab.teaching import widgets  # noqa: E402


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("home")     # one database for the module (reused by the lab)


@pytest.fixture
def quiz(monkeypatch, tmp_path, home):
    monkeypatch.setenv("CRMLAB_HOME", str(home))
    monkeypatch.setenv("CRMLAB_ANSWERS", str(tmp_path / "answers.json"))
    monkeypatch.delenv("CRMLAB_GRADING", raising=False)
    import crmlab.teaching.lab as labmod

    monkeypatch.setattr(labmod, "_in_notebook", lambda: True)
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    lab = crmlab.Lab("crmlabfake.lab", student_id="w1")
    box = widgets.show_quiz(lab, "m1")
    rows = {r.children[1]._dom_classes[0][len("crmlab-q-"):]: r.children for r in box.children[1:]}
    return lab, rows, shown, tmp_path


def test_click_gives_feedback_and_records_the_answer(quiz):
    lab, rows, shown, tmp_path = quiz
    _, inp, button, out = rows["m1.q01"]
    inp.value = "A"
    button.click()
    assert "correct" in out.value and "crmlab-correct" in out.value
    _, inp, button, out = rows["m1.q02"]
    inp.value = "A"
    button.click()
    assert "not yet right" in out.value and "客户关系类型" in out.value
    _, inp, button, out = rows["m1.q04"]
    inp.value = ("A", "B", "C")
    button.click()
    assert "crmlab-correct" in out.value
    _, inp, button, out = rows["m1.q07"]
    inp.value = "客户份额"
    button.click()
    assert "crmlab-correct" in out.value
    recorded = json.loads((tmp_path / "answers.json").read_text())["answers"]
    assert recorded["m1.q01"]["value"] == "A" and recorded["m1.q01"]["source"] == "widget"
    assert recorded["m1.q04"]["value"] == ["A", "B", "C"]


def test_click_updates_a_notebook_output_the_grader_reads(quiz):
    lab, rows, shown, _ = quiz
    _, inp, button, _ = rows["m1.q01"]
    inp.value = "A"
    button.click()
    updates = [(a, k) for a, k in shown if k.get("update")]
    assert updates and updates[-1][1]["display_id"].startswith("crmlab-quiz-")
    bundle = updates[-1][0][0]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "lab.quiz()", outputs=[nbformat.v4.new_output("display_data", data=bundle)])])
    nb = nbformat.reads(nbformat.writes(nb), as_version=4)      # through the file format
    assert answers_mod.from_notebook(nb) == {"m1.q01": "A"}


def test_saved_widget_state_is_read_back(quiz):
    lab, rows, _, _ = quiz
    rows["m1.q03"][1].value = "E"
    rows["m1.q04"][1].value = ("A", "C")
    rows["m1.q07"][1].value = " customer share "
    state = {}
    for qid in ("m1.q03", "m1.q04", "m1.q07", "m1.q05"):
        w = rows[qid][1]
        state[w.model_id] = {"model_name": w._model_name, "state": w.get_state()}
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"version_major": 2, "state": state}}
    nb = nbformat.reads(nbformat.writes(nb), as_version=4)
    assert answers_mod.from_notebook(nb) == {"m1.q03": "E", "m1.q04": ["A", "C"], "m1.q07": "customer share"}
