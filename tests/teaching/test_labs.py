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

@pytest.mark.parametrize("lab", available())
def test_exercise_set_is_well_defined(lab):
    ex = load(lab)
    assert ex.lab == lab
    assert ex.validate() == []
    assert len([n for n in ex.names() if not n.startswith("m")]) >= 3


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS)
def test_source_passes_and_release_is_unanswered(lab, tmp_path, monkeypatch):
    monkeypatch.setenv("CRMLAB_HOME", str(tmp_path / "home"))
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "solution.ipynb").write_bytes(NOTEBOOKS[lab].read_bytes())
    release(NOTEBOOKS[lab], tmp_path / "rel")
    (subs / "student.ipynb").write_bytes((tmp_path / "rel" / NOTEBOOKS[lab].name).read_bytes())
    # generous limits: these runs check the solutions, not speed (a rare multi-minute stall of a
    # widget cell under headless execution was seen once, see the instructors guide)
    book = grade(subs, lab, tmp_path / "grades", jobs=2, timeout=1500, cell_timeout=900, progress=False).set_index("student_id")
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


def _solution_lines(nb):
    """Distinctive lines that appear only inside solution blocks of ``nb``."""
    inside, outside = set(), set()
    for cell in nb.cells:
        block = False
        for line in cell.source.splitlines():
            if "BEGIN SOLUTION" in line:
                block = True
            elif "END SOLUTION" in line:
                block = False
            else:
                (inside if block else outside).add(line.strip())
    return {line for line in inside - outside if len(line) >= 25}


@pytest.mark.parametrize("lab", sorted(NOTEBOOKS))
def test_released_lab_holds_nothing_of_the_solutions(lab, tmp_path):
    import nbformat

    src = NOTEBOOKS[lab]
    lines = _solution_lines(nbformat.read(src, as_version=4))
    release(src, tmp_path)
    text = (tmp_path / src.name).read_text(encoding="utf-8")
    released = nbformat.read(tmp_path / src.name, as_version=4)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    leaked = [line for line in lines if line in text or json_escaped(line) in text]
    assert leaked == []
    assert any("parameters" in c.metadata.get("tags", []) for c in released.cells)
    assert all(not c.get("outputs") for c in released.cells if c.cell_type == "code")


def json_escaped(line: str) -> str:
    import json

    return json.dumps(line)[1:-1]
