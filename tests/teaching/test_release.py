"""Release: nothing of a solution survives anywhere in the student's file."""
import json
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import nbbuild  # noqa: E402

from crmlab.cli import main  # noqa: E402
from crmlab.errors import ConfigError  # noqa: E402
from crmlab.teaching.releasing import release, strip_solutions  # noqa: E402

SOLUTION_LINES = ['len(lab.table("orders"))', 'groupby("customer_id")', 'answer_q3 = "analytical"',
                  'answer_q4 = "RFM"', "It is the number of rows."]


def _source_with_outputs():
    nb = nbbuild.source_notebook()
    # A run of the source leaves outputs that show the solution's result: they must go too.
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", text="✔ q1: correct. 1934\n")]
    nb.cells[3].execution_count = 3
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"x": {"answer": "analytical"}}}}
    return nb


def test_release_removes_every_trace_of_the_solutions(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    nbbuild.write(_source_with_outputs(), src / "01-test.ipynb")
    assert main(["release", str(src), "--out", str(tmp_path / "rel")]) == 0
    text = (tmp_path / "rel" / "01-test.ipynb").read_text()
    for line in SOLUTION_LINES + ["1934", "BEGIN SOLUTION", "END SOLUTION", "widget-state"]:
        assert line not in text, line
    nb = nbformat.read(tmp_path / "rel" / "01-test.ipynb", as_version=4)
    assert nb.cells[1].metadata["tags"] == ["parameters"]
    assert "student_id" in nb.cells[1].source
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert "answer_q1 = None" in code[2].source and 'lab.check("q1", answer_q1)' in code[2].source
    assert "# YOUR CODE HERE" in code[2].source
    assert "_Write your answer here._" in nb.cells[0].source
    json.loads(text)  # still valid JSON / notebook
    nbformat.validate(nb)


def test_placeholders_keep_code_runnable():
    out = strip_solutions("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\nx, y = f(), 2")
    compile(out, "<released>", "exec")
    out = strip_solutions("### BEGIN SOLUTION\na, (b, c) = 1, (2, 3)\nd += 1\n### END SOLUTION")
    assert out.splitlines() == ["# YOUR CODE HERE", "a = None", "b = None", "c = None", "d = None"]


@pytest.mark.parametrize("src", ["### BEGIN SOLUTION\nx = 1", "x = 1\n### END SOLUTION",
                                 "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION"])
def test_unbalanced_markers_are_refused(src, tmp_path):
    with pytest.raises(ConfigError):
        strip_solutions(src)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src)])
    nbformat.write(nb, tmp_path / "bad.ipynb")
    with pytest.raises(ConfigError) as err:
        release(tmp_path / "bad.ipynb", tmp_path / "out")
    assert "bad.ipynb" in err.value.field and "cell 1" in err.value.field
    assert not (tmp_path / "out" / "bad.ipynb").exists()


def test_cli_help_is_complete(capsys):
    for cmd in (["--help"], ["release", "--help"], ["grade", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(cmd)
        assert exc.value.code == 0
    out = capsys.readouterr().out
    for word in ("release", "grade", "--roster", "--jobs", "--timeout", "--memory", "--deadline", "--salt",
                 "--out", "gradebook.csv", "canvas.csv", "moodle.csv", "BEGIN SOLUTION"):
        assert word in out, word


def test_cli_reports_bad_input_with_a_typed_message(tmp_path, capsys):
    assert main(["release", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_scan_code_reports_what_it_sees_without_false_alarms():
    from nbformat.v4 import new_code_cell, new_notebook

    from crmlab.teaching.grading import scan_code

    clean = new_notebook(cells=[new_code_cell("student_id = 'x'", metadata={"tags": ["parameters"]}),
                                new_code_cell("from crmlab.labs.lab01 import TABLE_KIND\nlab.check('q1', 3)")])
    assert scan_code(clean) == []
    hostile = new_notebook(cells=[new_code_cell("student_id = 'x'", metadata={"tags": ["parameters"]}),
                                  new_code_cell("seed = 3"),
                                  new_code_cell("from crmlab.labs import load\nload('02')['q1'].expected(d)"),
                                  new_code_cell("import os\nos.kill(os.getpid(), 9)")])
    assert set(scan_code(hostile)) == {"sus.identity", "sus.solutions", "sus.kills"}
