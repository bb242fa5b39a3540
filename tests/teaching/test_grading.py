"""Grading cannot be faked: honest, unanswered and hostile submissions graded in one run.

The hostile submissions are test fixtures built here from the test lab's source notebook. Every
expected score is stated from what the submission answered, and the values a student would need
are read from the simulator's data for *another* seed, never from the grader.
"""
import csv
import json
import os
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
sys.path.insert(0, str(FIXTURES))
sys.path.insert(0, str(HERE))
import nbbuild  # noqa: E402

import crmlab  # noqa: E402
from crmlab.teaching import derive_seed  # noqa: E402
from crmlab.teaching.answers import MIME  # noqa: E402
from crmlab.teaching.grading import grade, read_roster  # noqa: E402
from crmlab.teaching.releasing import release_notebook  # noqa: E402

pytestmark = pytest.mark.slow

SOLVED_Q1 = nbbuild.Q1


def _orders_for(student_id: str) -> int:
    db = crmlab.simulate(300, seed=derive_seed(student_id), url="sqlite://")
    return len(crmlab.read_table(db, "orders"))


def _student(nb):
    return release_notebook(nb)


def _quiz_cell(nb):
    return next(c for c in nb.cells if c.source.startswith("lab.quiz"))


def _submissions(out: Path) -> dict:
    honest = nbbuild.source_notebook()
    s01_q1 = _orders_for("s01")
    subs = {
        "s01": honest,                                                     # all right
        "s02": _student(nbbuild.source_notebook()),                        # released version: unanswered
        "s03": _student(nbbuild.source_notebook(after_q1=[
            'print("✔ q1: correct.")\nprint("correct! 100 points")'])),
        "s04": nbbuild.source_notebook(after_setup=[
            'lab.check = lambda name, answer, **k: print("✔", name, "correct")\nlab.answer = lab.check']),
        "s05": _student(nbbuild.source_notebook(after_setup=[
            "import crmlab.teaching.checks as C, crmlab.teaching.exercises as E\n"
            "C.Number.compare = lambda self, a, e: C.CORRECT\nC.Table.compare = lambda self, a, e: C.CORRECT\n"
            "crmlab.fingerprint = lambda db: 'forged'"],
            q1='answer_q1 = 7\nlab.check("q1", answer_q1)')),
        "s06": _student(nbbuild.source_notebook(after_q1=[
            f"import json, os, pathlib\nout = pathlib.Path({str(out)!r})\nout.mkdir(parents=True, exist_ok=True)\n"
            "(out / 'gradebook.csv').write_text('student_id,total\\ns06,100\\n')\n"
            "(out / 'feedback').mkdir(exist_ok=True)\n(out / 'feedback' / 's01.md').write_text('hacked')\n"
            "path = os.environ['CRMLAB_ANSWERS']\ndata = json.load(open(path))\n"
            "data['answers']['q1'] = {'value': 1, 'correct': True, 'points': 100}\ndata['score'] = 100\n"
            "json.dump(data, open(path, 'w'))"])),
        "s07": nbbuild.source_notebook(before_setup=['student_id = "s01"\nseed = 42']),
        "s08": _student(nbbuild.source_notebook(
            after_setup=["import glob, tempfile\nleaked = glob.glob(tempfile.gettempdir() + '/crmlab-grade-*/answers/*.json')"],
            q1=f'answer_q1 = {s01_q1}  # a classmate\'s correct answer\nlab.check("q1", answer_q1)')),
        "s09": nbbuild.source_notebook(after_q1=["import os\nos._exit(1)"]),
        "s10": nbbuild.source_notebook(after_q1=["while True:\n    pass"]),
        "s11": nbbuild.source_notebook(after_q1=["hog = bytearray(64 * 1024 ** 3)"]),
        "s12": nbbuild.source_notebook(after_q1=[
            "import glob, os, shutil\nfor f in glob.glob('*') + glob.glob('.*'):\n"
            "    shutil.rmtree(f, ignore_errors=True) if os.path.isdir(f) else os.remove(f)\n"
            "shutil.rmtree(os.path.expanduser('~'), ignore_errors=True)"]),
        "s13": _student(nbbuild.source_notebook()),
        "s15": nbbuild.source_notebook(after_q1=[            # kills the grader process above its kernel
            "import os, psutil\nrunner = psutil.Process(os.getppid())\nos.kill(runner.ppid(), 9)"]),
        "s14": _student(nbbuild.source_notebook(quiz='lab.quiz("m1")\nlab.answer("m1.q05", "A")\nlab.answer("m1.q06", "C")')),
    }
    # s13 answered the quiz by clicking: the saved file holds the widgets' output and state.
    cell = _quiz_cell(subs["s13"])
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        MIME: {"lab": "crmlabfake.lab", "student_id": "s13", "answers": {"m1.q01": "A", "m1.q02": "B", "q1": 12}},
        "text/plain": "saved"})]
    subs["s13"].metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"version_major": 2, "state": {
        "w1": {"model_name": "SelectMultipleModel", "state": {"_dom_classes": ["crmlab-q-m1.q04"], "index": [0, 1, 2]}},
        "w2": {"model_name": "TextModel", "state": {"_dom_classes": ["crmlab-q-m1.q07"], "value": "客户份额"}}}}}
    return subs


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("grading")
    subs_dir, out = root / "submissions", root / "grades"
    subs_dir.mkdir()
    subs = _submissions(out)
    for sid, nb in subs.items():
        name = f"lastfirst_{sid}_4711_lab.ipynb" if sid == "s14" else f"{sid}.ipynb"
        nbbuild.write(nb, subs_dir / name)
    nbbuild.write(subs["s02"], subs_dir / "unknown-person.ipynb")
    future = time.time() + 3600
    os.utime(subs_dir / "s02.ipynb", (future, future))
    roster = root / "roster.csv"
    ids = sorted(subs) + ["s99"]
    pd.DataFrame({"student_id": ids, "name": [f"Student {i}" for i in ids],
                  "email": [f"{i}@uni.example" for i in ids]}).to_csv(roster, index=False)
    deadline = pd.Timestamp.now(tz="UTC").isoformat()
    start = time.perf_counter()
    book = grade(subs_dir, "crmlabfake.lab", out, roster=roster, jobs=2, timeout=120, cell_timeout=12,
                 memory_mb=2500, deadline=deadline, progress=False, extra_pythonpath=[FIXTURES])
    seconds = time.perf_counter() - start
    return book.set_index("student_id"), out, seconds


FULL = 2 + 1 + 1 + 1           # q1..q4 points of the test lab


def _code_total(row):
    return row[["q1", "q2", "q3", "q4"]].sum()


def test_honest_submission_gets_full_marks(graded):
    book, out, _ = graded
    assert _code_total(book.loc["s01"]) == FULL
    assert book.loc["s01", "status"] == "ok"
    text = (out / "feedback" / "s01.md").read_text()
    assert "hacked" not in text and "| q1 |" in text and "correct" in text


def test_released_version_runs_clean_and_is_unanswered(graded):
    book, out, _ = graded
    assert book.loc["s02", "status"] == "ok"
    assert book.loc["s02", "total"] == 0
    assert bool(book.loc["s02", "late"]) and not bool(book.loc["s01", "late"])
    assert "unanswered" in (out / "feedback" / "s02.md").read_text()


def test_printing_correct_earns_nothing(graded):
    book, _, _ = graded
    assert book.loc["s03", "total"] == 0
    assert "prints words like" in book.loc["s03", "notes"]


def test_redefining_lab_check_earns_nothing(graded):
    book, _, _ = graded
    assert book.loc["s04", "total"] == 0
    assert "replaces lab.check" in book.loc["s04", "notes"]
    assert "no answers were recorded" in book.loc["s04", "notes"]


def test_monkeypatching_crmlab_earns_nothing(graded):
    book, _, _ = graded
    assert book.loc["s05", "total"] == 0
    assert "monkeypatching" in book.loc["s05", "notes"]


def test_writing_into_the_gradebook_and_answers_file_earns_nothing(graded):
    book, out, _ = graded
    assert book.loc["s06", "total"] == 0
    on_disk = pd.read_csv(out / "gradebook.csv", dtype={"student_id": str}).set_index("student_id")
    assert on_disk.loc["s06", "total"] == 0 and on_disk.loc["s01", "q1"] == 2
    assert "100" not in str(on_disk.loc["s06", "total"])


def test_changing_seed_or_student_id_is_seen_and_graded_on_own_data(graded):
    book, _, _ = graded
    assert _orders_for("s07") != len(crmlab.read_table(crmlab.simulate(300, seed=42, url="sqlite://"), "orders"))
    assert book.loc["s07", "q1"] == 0 and book.loc["s07", "q2"] == 0
    notes = book.loc["s07", "notes"]
    assert "different dataset" in notes and "changed its student id or seed" in notes
    assert "reassigns student_id or seed" in notes


def test_copying_another_students_answer_earns_nothing(graded):
    book, _, _ = graded
    assert _orders_for("s08") != _orders_for("s01")
    assert book.loc["s08", "q1"] == 0
    assert "touches files" in book.loc["s08", "notes"]


@pytest.mark.parametrize("sid, status", [("s09", {"kernel_died"}), ("s10", {"timeout"}),
                                         ("s11", {"memory", "kernel_died", "cell_error"}),
                                         ("s12", {"ok", "cell_error", "kernel_died"})])
def test_crashes_loops_memory_hogs_and_deletions_keep_finished_answers(graded, sid, status):
    book, _, _ = graded
    assert book.loc[sid, "status"] in status
    assert book.loc[sid, "q1"] == 2                     # answered before the trouble
    if sid != "s12":
        assert book.loc[sid, "q4"] == 0                 # never reached
        assert book.loc[sid, "notes"]


def test_quiz_answers_saved_by_widgets_are_graded(graded):
    book, out, _ = graded
    row = book.loc["s13"]
    assert row["m1.q01"] == 1 and row["m1.q02"] == 0 and row["m1.q04"] == 1 and row["m1.q07"] == 1
    assert row["q1"] == 0                                # a forged code answer in an output is ignored
    assert "quiz widget" in (out / "feedback" / "s13.md").read_text()
    assert book.loc["s14", "m1.q05"] == 1 and book.loc["s14", "m1.q06"] == 0


def test_killing_the_grader_loses_only_that_submission(graded):
    book, out, _ = graded
    assert book.loc["s15", "status"] == "grader killed" and book.loc["s15", "total"] == 0
    assert "stopped the process grading it" in book.loc["s15", "notes"]
    assert _code_total(book.loc["s01"]) == FULL           # everyone else graded normally
    assert (out / "feedback" / "s15.md").exists()


def test_roster_missing_and_unknown_files(graded):
    book, out, _ = graded
    assert book.loc["s99", "total"] == 0 and book.loc["s99", "status"] == "no submission"
    assert "s14" in book.index                            # found by its id inside an LMS-style file name
    assert "unknown-person.ipynb" in (out / "warnings.txt").read_text()
    assert book.loc["s01", "name"] == "Student s01"


def test_feedback_never_shows_expected_values(graded):
    book, out, _ = graded
    s07_truth = str(_orders_for("s07"))
    text = (out / "feedback" / "s07.md").read_text()
    assert s07_truth not in text


def test_lms_exports(graded):
    book, out, _ = graded
    with open(out / "canvas.csv", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == book["max_points"].iloc[0]
    canvas = {r[2]: r for r in rows[2:]}
    assert float(canvas["s01"][5]) == book.loc["s01", "total"] and canvas["s01"][0] == "Student s01"
    moodle = pd.read_csv(out / "moodle.csv", dtype=str).set_index("ID number")
    assert list(moodle.columns[:2]) == ["Full name", "Email address"]
    assert moodle.loc["s01", "Email address"] == "s01@uni.example"
    assert float(moodle.loc["s99"].iloc[2]) == 0


def test_roster_errors(tmp_path):
    from crmlab.errors import ConfigError

    (tmp_path / "r.csv").write_text("id,name\n1,a\n")
    with pytest.raises(ConfigError) as err:
        read_roster(tmp_path / "r.csv")
    assert "student_id" in str(err.value)
    (tmp_path / "r2.csv").write_text("student_id,name\n1,a\n1,b\n")
    with pytest.raises(ConfigError):
        read_roster(tmp_path / "r2.csv")
