"""Feedback files and LMS exports from a hand-made result (no notebooks run)."""
import csv

import pandas as pd

from crmlab.teaching import ExerciseSet, Number, evaluate
from crmlab.teaching.grading import _parse_deadline, feedback_markdown, write_canvas, write_moodle


def _exset():
    ex = ExerciseSet("97", title="Value", title_zh="价值", quiz=None)
    ex.concepts({"clv": ("customer lifetime value", "客户终身价值")})

    @ex.exercise("q1", check=Number(rtol=0.01), concept="clv", points=2, prompt="CLV?")
    def q1(data):
        return 500.0

    return ex


def _result(ex, lang):
    fb = evaluate(ex, "q1", 320.0, None, lang).to_dict() | {"answer": "320.0"}
    return {"student_id": "2024001", "name": "李雷", "scores": {"q1": 0.0}, "feedback": [fb],
            "notes": ["a note"], "status": "ok", "late": True, "max_points": 2.0, "total": 0.0}


def test_feedback_markdown_in_both_languages_without_the_expected_value():
    ex = _exset()
    en = feedback_markdown(_result(ex, "en"), ex, "en")
    assert "| q1 | 320.0 | wrong | 0/2 |" in en and "customer lifetime value" in en
    assert "submitted after the deadline" in en and "a note" in en
    zh = feedback_markdown(_result(ex, "zh"), ex, "zh")
    assert "错误" in zh and "客户终身价值" in zh and "逾期提交" in zh and "总分" in zh
    for text in (en, zh):
        assert "500" not in text


def test_lms_files(tmp_path):
    ex = _exset()
    book = pd.DataFrame([{"student_id": "2024001", "name": "李雷", "q1": 2.0, "total": 2.0, "max_points": 2.0,
                          "late": False, "status": "ok", "notes": ""}])
    roster = pd.DataFrame({"student_id": ["2024001"], "name": ["李雷"], "canvas_id": ["777"],
                           "sis_login_id": ["lilei"], "section": ["A"], "email": ["li@uni.example"]})
    write_canvas(book, ex, tmp_path / "c.csv", roster)
    write_moodle(book, ex, tmp_path / "m.csv", roster)
    rows = list(csv.reader(open(tmp_path / "c.csv", encoding="utf-8")))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 97 Value"]
    assert rows[1] == ["Points Possible", "", "", "", "", "2"]
    assert rows[2] == ["李雷", "777", "2024001", "lilei", "A", "2"]
    rows = list(csv.reader(open(tmp_path / "m.csv", encoding="utf-8")))
    assert rows[0] == ["ID number", "Full name", "Email address", "Lab 97 Value", "Lab 97 Value feedback"]
    assert rows[1][:4] == ["2024001", "李雷", "li@uni.example", "2"]


def test_deadline_parsing():
    import pytest

    from crmlab.errors import ConfigError

    assert _parse_deadline("2026-12-01T23:59+08:00").utcoffset().total_seconds() == 8 * 3600
    assert _parse_deadline("2026-12-01T23:59").tzinfo is not None
    with pytest.raises(ConfigError):
        _parse_deadline("next friday")
