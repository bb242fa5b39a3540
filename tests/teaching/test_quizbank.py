"""The concept quiz bank: size, coverage, both languages, keys valid, numeric keys worked by hand."""
import pytest

from crmlab.teaching.quizbank import CONCEPTS, MODULES, QUESTIONS, question, questions, quiz_exercises
from crmlab.teaching import Choice, ExerciseSet, evaluate


def test_at_least_forty_questions_over_six_modules():
    assert len(QUESTIONS) >= 40
    assert {q.module for q in QUESTIONS} == set(MODULES)
    for m in MODULES:
        assert len(questions(m)) >= 6, m
    assert len({q.id for q in QUESTIONS}) == len(QUESTIONS)


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.id)
def test_question_is_complete(q):
    assert q.en.strip() and q.zh.strip()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in q.zh)
    assert q.concept in CONCEPTS
    if q.options:
        assert all(en and zh for en, zh in q.options.values())
        keys = q.answer if q.multi else [q.answer]
        assert set(keys) <= set(q.options)
    # The key itself must pass its own check.
    assert q.check().compare(q.answer, q.answer).correct


def test_numeric_keys_worked_by_hand():
    # CLV: 110/1.1 = 100 and 110/1.21 = 90.9090...
    assert question("m2.q05").check().compare(190.91, question("m2.q05").answer).correct
    assert question("m3.q05").check().compare((3.04 - 3) / (3 - 1), question("m3.q05").answer).correct
    assert question("m4.q02").check().compare(4.2 - 4.8, question("m4.q02").answer).correct
    assert question("m5.q01").check().compare(50 / 1000, question("m5.q01").answer).correct
    assert question("m5.q02").check().compare(50 / 200, question("m5.q02").answer).correct
    assert question("m5.q03").check().compare((50 / 200) / (100 / 1000), question("m5.q03").answer).correct
    assert question("m6.q05").check().compare((15000 - 10000) / 10000, question("m6.q05").answer).correct
    assert not question("m2.q05").check().compare(220.0, question("m2.q05").answer).correct


def test_keys_follow_from_definitions():
    # Kotler: accountable = asks after the sale; partnership = works continuously for the customer's success.
    assert question("m1.q02").options[question("m1.q02").answer] == ("accountable", "负责型")
    assert question("m1.q03").options[question("m1.q03").answer] == ("partnership", "伙伴型")
    assert question("m4.q06").options[question("m4.q06").answer][1] == "虚伪忠诚"
    assert question("m4.q08").options[question("m4.q08").answer][1] == "恶意流失"
    assert question("m4.q04").options[question("m4.q04").answer][1] == "当然质量"


def test_quiz_questions_are_exercises_of_a_lab():
    ex = ExerciseSet("02", title="x")            # lab 02 grades the m2 quiz by default
    assert [e.name for e in quiz_exercises("m2")] == [n for n in ex.names() if n.startswith("m2.")]
    fb = evaluate(ex, "m2.q04", "C", None)
    assert fb.correct
    fb = evaluate(ex, "m2.q04", "A", None)
    assert fb.status == "wrong" and "贴现" not in fb.message
    assert isinstance(ex["m2.q04"].check, Choice)
    assert ExerciseSet("02", title="x", quiz=None).names() == []
