"""Check kinds: hand-made answers and expected values; feedback never reveals the expected value."""
import numpy as np
import pandas as pd
import pytest

from crmlab.teaching import Bool, Choice, ExerciseSet, Number, Table, Text, evaluate


def test_number_tolerance_and_specific_mistakes():
    c = Number(rtol=0.01)
    assert c.compare(100.9, 100.0).correct
    assert c.compare(np.float32(99.2), 100.0).correct
    assert not c.compare(101.5, 100.0).correct
    assert c.compare(-100.0, 100.0).key == "check.number_sign"
    assert c.compare(1.0, 100.0).key == "check.number_scale"          # percent vs fraction
    assert c.compare(1.0, 100.0).fmt == {"factor": 100}
    assert c.compare("100", 100.0).status == "invalid"
    assert c.compare(True, 1.0).status == "invalid"
    assert c.compare(float("nan"), 1.0).status == "invalid"
    assert Number(atol=0.5).compare(0.4, 0.0).correct


def test_table_by_key_names_the_column_and_row():
    want = pd.DataFrame({"customer_id": [1, 2, 3], "clv": [10.0, 20.0, 30.0], "stage": ["a", "b", "c"]})
    chk = Table(key="customer_id", rtol=1e-3)
    shuffled = want.sample(frac=1, random_state=1)
    assert chk.compare(shuffled, want).correct
    assert chk.compare(want.assign(extra=1), want).correct            # extra columns ignored
    bad = want.copy()
    bad.loc[1, "clv"] = 21.0
    out = chk.compare(bad, want)
    assert out.key == "check.cell_differs" and out.fmt["column"] == "clv" and "customer_id = 2" in out.fmt["row"]
    assert chk.compare(want.drop(columns="stage"), want).fmt == {"column": "stage"}
    assert chk.compare(want.iloc[:2], want).key == "check.row_count"
    other = want.copy()
    other.loc[2, "customer_id"] = 9
    assert chk.compare(other, want).key == "check.missing_keys"
    assert chk.compare([1, 2], want).status == "invalid"
    assert chk.compare(want.set_index("customer_id"), want).correct   # a named index counts as a column


def test_table_unordered_and_ordered():
    want = pd.DataFrame({"x": [3, 1, 2], "y": ["c", "a", "b"]})
    assert Table().compare(want.iloc[[1, 2, 0]], want).correct
    ordered = Table(ordered=True)
    assert ordered.compare(want, want).correct
    assert ordered.compare(want.iloc[[1, 2, 0]], want).key == "check.order"
    s = pd.Series([1.0, 2.0], index=pd.Index(["a", "b"], name="k"), name="v")
    assert Table(key="k").compare(s, pd.DataFrame({"k": ["a", "b"], "v": [1.0, 2.0]})).correct


def test_table_round_trip_through_json():
    df = pd.DataFrame({"id": [1, 2], "v": [0.5, 1.5], "t": pd.to_datetime(["2024-01-01", "2024-02-01"])})
    chk = Table(key="id")
    back = chk.from_json(chk.to_json(df))
    assert chk.compare(back, df).correct


def test_choice_text_bool():
    c = Choice(["A", "B", "C"])
    assert c.compare("B", "B").correct and not c.compare("A", "B").correct
    assert c.compare("Z", "B").key == "check.not_option"
    assert c.compare(["A"], "B").key == "check.choose_one"
    m = Choice(["A", "B", "C", "D"], multi=True)
    assert m.compare(["C", "A", "B"], ["A", "B", "C"]).correct
    assert not m.compare(["A", "B"], ["A", "B", "C"]).correct
    txt = Text(accept=["customer share", "客户份额"])
    assert txt.compare("Customer  Share", "customer share").correct
    assert txt.compare("客户份额。", "customer share").correct
    assert not txt.compare("market share", "customer share").correct
    assert Text().compare(3, "x").status == "invalid"
    assert Bool().compare(np.bool_(True), True).correct
    assert Bool().compare(1, True).status == "invalid"


@pytest.fixture
def exset():
    ex = ExerciseSet("98", title="Checks", quiz=None)
    ex.concepts({"clv": ("customer lifetime value", "客户终身价值")})

    @ex.exercise("q1", check=Number(rtol=0.001), concept="clv", prompt="CLV?")
    def q1(data):
        return 190.909090909   # 110/1.1 + 110/1.1**2, worked by hand

    @q1.mistake("no_discount", en="You did not discount (贴现).", zh="你没有贴现。")
    def _(data):
        return 220.0

    return ex


def test_feedback_hints_and_never_the_expected_value(exset):
    right = evaluate(exset, "q1", 110 / 1.1 + 110 / 1.21, None)
    assert right.correct and right.points == 1
    wrong = evaluate(exset, "q1", 220.0, None)
    assert wrong.mistake == "no_discount" and "You did not discount" in str(wrong)
    generic = evaluate(exset, "q1", 150.0, None)
    assert "customer lifetime value" in str(generic) and "客户终身价值" in str(generic)
    assert "0.001" in str(generic)                                    # tolerance stated
    zh = evaluate(exset, "q1", 150.0, None, lang="zh")
    assert "客户终身价值" in str(zh) and "还不对" in str(zh)
    for fb in (wrong, generic, zh):
        text = str(fb) + fb._repr_html_()
        assert "190.9" not in text and "191" not in text
    assert evaluate(exset, "q1", None, None).status == "unanswered"


def test_exercise_definition_errors(exset):
    from crmlab.errors import ConfigError, NotFound

    with pytest.raises(ConfigError):
        exset.exercise("q1", check=Number())(lambda d: 1)
    with pytest.raises(ConfigError):
        exset.exercise("q9", check="number")(lambda d: 1)
    with pytest.raises(NotFound) as err:
        exset["nope"]
    assert "q1" in str(err.value)
    with pytest.raises(ConfigError):
        exset["q1"].mistake("x", en="only english", zh="")
    assert exset.validate() == []


def test_json_round_trip_keeps_text_codes_and_decimals():
    from decimal import Decimal

    df = pd.DataFrame({"code": ["001", "010"], "n": [1, 2]})
    chk = Table(key="code")
    back = chk.from_json(chk.to_json(df))
    assert list(back["code"]) == ["001", "010"] and chk.compare(back, df).correct
    assert Number().compare(Decimal("2.50"), 2.5).correct
