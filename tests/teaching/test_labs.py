"""Every lab: the source notebook (with solutions) passes all its checks under the grader, and the
released student version runs clean and reports every exercise as unanswered."""
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from crmlab.labs import available, load
from crmlab.teaching.grading import grade
from crmlab.teaching.releasing import release

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = {re.match(r"(\d\d)-", p.name).group(1): p for p in sorted((ROOT / "labs").glob("[0-9][0-9]-*.ipynb"))}
LABS = [lab for lab in available() if lab in NOTEBOOKS]

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("lab", available())
def test_exercise_set_is_well_defined(lab):
    ex = load(lab)
    assert ex.lab == lab
    assert ex.validate() == []
    assert len([n for n in ex.names() if not n.startswith("m")]) >= 3


@pytest.mark.parametrize("lab", LABS)
def test_source_passes_and_release_is_unanswered(lab, tmp_path, monkeypatch):
    monkeypatch.setenv("CRMLAB_HOME", str(tmp_path / "home"))
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "solution.ipynb").write_bytes(NOTEBOOKS[lab].read_bytes())
    release(NOTEBOOKS[lab], tmp_path / "rel")
    (subs / "student.ipynb").write_bytes((tmp_path / "rel" / NOTEBOOKS[lab].name).read_bytes())
    book = grade(subs, lab, tmp_path / "grades", jobs=2, timeout=900, progress=False).set_index("student_id")
    code = [n for n in load(lab).names() if not re.match(r"m\d\.q\d\d$", n)]
    sol = book.loc["solution"]
    assert sol["status"] == "ok", sol["notes"]
    wrong = [n for n in code if sol[n] != load(lab)[n].points]
    feedback = (tmp_path / "grades" / "feedback" / "solution.md").read_text()
    assert wrong == [], f"lab {lab}: solutions fail {wrong}\n{feedback}"
    stu = book.loc["student"]
    assert stu["status"] == "ok", stu["notes"]
    assert stu[code].sum() == 0
    assert "unanswered" in (tmp_path / "grades" / "feedback" / "student.md").read_text()
