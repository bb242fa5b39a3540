"""crmlab.Lab on the test lab: personal seeds, instant feedback, answers file, progress."""
import json
import os
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))

import crmlab  # noqa: E402
from crmlab.teaching import derive_seed  # noqa: E402
from crmlab.teaching.seed import safe_name  # noqa: E402

LAB = "crmlabfake.lab"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    path = tmp_path_factory.mktemp("crmlab-home")
    old = {k: os.environ.get(k) for k in ("CRMLAB_HOME", "CRMLAB_ANSWERS", "CRMLAB_GRADING", "CRMLAB_COURSE_SALT")}
    os.environ["CRMLAB_HOME"] = str(path)
    for k in ("CRMLAB_ANSWERS", "CRMLAB_GRADING", "CRMLAB_COURSE_SALT"):
        os.environ.pop(k, None)
    yield path
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="module")
def lab(home):
    return crmlab.Lab(LAB, student_id="2024001")


def test_seed_is_sha256_of_the_id(monkeypatch):
    import hashlib

    raw = hashlib.sha256(b"crmlab||2024001").digest()[:4]
    assert derive_seed("2024001") == int.from_bytes(raw, "big") >> 1
    monkeypatch.setenv("CRMLAB_COURSE_SALT", "spring")
    raw = hashlib.sha256(b"crmlab|spring|2024001").digest()[:4]
    assert derive_seed("2024001") == int.from_bytes(raw, "big") >> 1
    assert safe_name("a/b") != safe_name("a_b")


def test_lab_builds_the_students_own_data(lab, home):
    assert lab.seed == derive_seed("2024001")
    assert lab.n_customers == 300
    assert len(lab.table("customers")) == 300
    other = crmlab.Lab(LAB, student_id="2024002")
    assert other.seed != lab.seed
    assert crmlab.fingerprint(other.db) != crmlab.fingerprint(lab.db)


def test_check_gives_instant_feedback_and_records(lab, capsys):
    n = len(lab.table("orders"))
    holdout = len(lab.table("holdout_orders"))
    fb = lab.check("q1", n)
    assert fb.correct and fb.points == 2
    fb = lab.check("q1", n + holdout)
    assert fb.status == "wrong" and fb.mistake == "with_holdout"
    out = capsys.readouterr().out
    assert "hold-out" in out and str(n) not in out.replace(str(lab.seed), "")
    fb = lab.check("q3", "nonsense")
    assert fb.status == "invalid"
    lab.check("q1", n)
    assert lab.check("q2", None).status == "unanswered"
    data = json.loads(lab.answers_path.read_text())
    assert data["student_id"] == "2024001" and data["seed"] == lab.seed
    assert data["fingerprint"] == crmlab.fingerprint(lab.db)
    assert data["answers"]["q1"]["value"] == n
    assert "q2" not in data["answers"]
    assert "correct" not in json.dumps(data)          # answers only, no verdicts


def test_progress_lists_answered_and_correct(lab, capsys):
    df = lab.progress()
    row = df.set_index("exercise").loc["q1"]
    assert row["answered"] == "yes" and row["correct"] == "yes"
    assert df.set_index("exercise").loc["q2", "answered"] == "no"
    assert "m1.q01" in set(df["exercise"])
    assert "Lab crmlabfake.lab" in capsys.readouterr().out


def test_quiz_headless_prints_and_answers_in_code(lab, capsys):
    lab.quiz("m1", answers={"m1.q01": "A"})
    out = capsys.readouterr().out
    assert "m1.q01" in out and "lab.answer" in out
    assert json.loads(lab.answers_path.read_text())["answers"]["m1.q01"]["value"] == "A"


def test_chinese_feedback(home):
    lab = crmlab.Lab(LAB, student_id="2024001", lang="zh")
    fb = lab.check("q1", -1.0, quiet=True)
    assert "还不对" in fb.message


def test_grading_mode_never_computes_expected_values_in_the_kernel(home, monkeypatch, tmp_path):
    import crmlabfake.lab as fake

    monkeypatch.setenv("CRMLAB_GRADING", "1")
    monkeypatch.setenv("CRMLAB_ANSWERS", str(tmp_path / "answers.json"))
    calls = []
    ex = fake.EXERCISES["q1"]
    monkeypatch.setattr(ex, "func", lambda data: calls.append(1) or 0)
    lab = crmlab.Lab(LAB, student_id="2024001")
    fb = lab.check("q1", 12345)
    assert fb.status == "recorded" and calls == []
    assert json.loads((tmp_path / "answers.json").read_text())["answers"]["q1"]["value"] == 12345


def test_unknown_exercise_and_lab(lab):
    from crmlab.errors import ConfigError, NotFound

    with pytest.raises(NotFound):
        lab.check("q99", 1)
    with pytest.raises(NotFound):
        crmlab.Lab("09", student_id="x")
    with pytest.raises(ConfigError):
        crmlab.Lab(LAB, student_id="x", lang="fr")
