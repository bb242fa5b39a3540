"""Lab 01 runs top to bottom under papermill for three students, and its solutions pass every check.

Each run gets a fresh crmlab home folder (its own database and answers file). The recorded answers are
then re-checked outside the notebook kernel against the student's own database, and a few of them
are recomputed here by independent SQL.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

pytest.importorskip("papermill")
import papermill as pm  # noqa: E402

import crmlab  # noqa: E402
from crmlab.labs.lab01 import EXERCISES  # noqa: E402
from crmlab.teaching import LabData, evaluate  # noqa: E402
from crmlab.teaching.lab import default_db_url  # noqa: E402

LABS = Path(__file__).resolve().parents[2] / "labs"
NOTEBOOK = LABS / "01-crm-database.ipynb"
N_CUSTOMERS = 300
#: (student_id, seed, use an explicit db_url)
STUDENTS = [("s1", None, False), ("2024001", None, True), ("demo", 11, True)]
CODE_EXERCISES = [name for name in EXERCISES.names() if name.startswith("q")]
PAID = "('paid', 'shipped', 'delivered')"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Execute the notebook once per student; → {student_id: (executed notebook, answers, db_url)}."""
    out = {}
    for student_id, seed, explicit_url in STUDENTS:
        home = tmp_path_factory.mktemp(f"home-{student_id}")
        params = {"student_id": student_id, "n_customers": N_CUSTOMERS}
        if seed is not None:
            params["seed"] = seed
        if explicit_url:
            params["db_url"] = f"sqlite:///{home / 'lab01.db'}"
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("CRMLAB_HOME", str(home))
            mp.setenv("CRMLAB_HEADLESS", "1")          # as crmlab grade runs kernels (crmlab/headless.py)
            for var in ("CRMLAB_ANSWERS", "CRMLAB_GRADING", "CRMLAB_DB_URL", "CRMLAB_COURSE_SALT"):
                mp.delenv(var, raising=False)
            mp.setenv("MPLBACKEND", "Agg")
            nb = pm.execute_notebook(str(NOTEBOOK), str(home / "executed.ipynb"), parameters=params,
                                     cwd=str(LABS), kernel_name="python3", progress_bar=False,
                                     log_output=False)
            answers = json.loads((home / "answers" / f"lab01-{student_id}.json").read_text(encoding="utf-8"))
            url = params.get("db_url") or default_db_url(student_id, answers["seed"], N_CUSTOMERS)
        out[student_id] = (nb, answers, url)
    return out


@pytest.mark.parametrize("student_id", [s[0] for s in STUDENTS])
def test_notebook_runs_without_errors(runs, student_id):
    nb, answers, _ = runs[student_id]
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors == []
    assert answers["student_id"] == student_id
    assert answers["n_customers"] == N_CUSTOMERS


@pytest.mark.parametrize("student_id", [s[0] for s in STUDENTS])
def test_every_exercise_checked_correct(runs, student_id):
    _, answers, url = runs[student_id]
    recorded = answers["answers"]
    assert set(CODE_EXERCISES) <= set(recorded), f"unanswered: {set(CODE_EXERCISES) - set(recorded)}"
    db = crmlab.connect(url)
    assert crmlab.fingerprint(db) == answers["fingerprint"]       # answers belong to this database
    data = LabData(db, seed=answers["seed"], student_id=student_id, n_customers=N_CUSTOMERS)
    wrong = {}
    for name in CODE_EXERCISES:
        check = EXERCISES[name].check
        fb = evaluate(EXERCISES, name, check.from_json(recorded[name]["value"]), data)
        if not fb.correct:
            wrong[name] = fb.message
    assert wrong == {}


@pytest.mark.parametrize("student_id", [s[0] for s in STUDENTS])
def test_answers_agree_with_independent_sql(runs, student_id):
    _, answers, url = runs[student_id]
    rec = {k: v["value"] for k, v in answers["answers"].items()}
    db = crmlab.connect(url)
    one = lambda q: db.sql(q).iloc[0, 0]  # noqa: E731
    sales = float(one(f"SELECT SUM(amount) FROM orders WHERE status IN {PAID}"))
    buyers = int(one(f"SELECT COUNT(DISTINCT customer_id) FROM orders WHERE status IN {PAID}"))
    n_orders = int(one(f"SELECT COUNT(*) FROM orders WHERE status IN {PAID}"))
    assert math.isclose(rec["q3"], sales, abs_tol=0.01)
    assert math.isclose(rec["q6"], n_orders / buyers, rel_tol=1e-9)
    assert math.isclose(rec["q7"], sales / buyers, rel_tol=1e-9)
    assert rec["q4"] == int(one("SELECT COUNT(*) FROM orders WHERE status = 'placed'"))
    companies = int(one("SELECT COUNT(*) FROM customers WHERE customer_type = 'company'"))
    assert math.isclose(rec["q2"], companies / N_CUSTOMERS, rel_tol=1e-9)
    # the KPI tree's factors multiply back to sales (to the cent)
    q8 = EXERCISES["q8"].check.from_json(rec["q8"]).set_index("factor")["value"]
    assert math.isclose(q8.prod(), sales, abs_tol=0.01)
    assert int(q8["buyers"]) == buyers
    # the per-channel query adds up to the whole
    q5 = EXERCISES["q5"].check.from_json(rec["q5"])
    assert int(q5["n_orders"].sum()) == n_orders
    assert math.isclose(float(q5["sales"].sum()), sales, abs_tol=0.05)
    # category counts cover every customer
    q1 = EXERCISES["q1"].check.from_json(rec["q1"])
    assert int(q1["n_customers"].sum()) == N_CUSTOMERS
    counts = db.sql("SELECT cc.code, COUNT(*) AS n FROM customers c JOIN customer_categories cc "
                    "USING (category_id) GROUP BY cc.code").set_index("code")["n"]
    assert q1.set_index("category")["n_customers"].to_dict() == counts.astype(int).to_dict()


def test_students_get_different_answers(runs):
    sales = {sid: runs[sid][1]["answers"]["q3"]["value"] for sid in runs}
    seeds = {sid: runs[sid][1]["seed"] for sid in runs}
    assert len(set(seeds.values())) == len(seeds)
    assert len(set(sales.values())) == len(sales)
