"""The message catalogue: both languages complete, formatting, typed errors."""
import pytest

from crmlab import i18n
from crmlab.errors import ConfigError


def test_every_message_has_english_and_chinese():
    assert i18n.missing() == []
    cat = i18n.catalogue()
    assert "fb.correct" in cat and "grade.no_submission" in cat


def test_chinese_text_is_really_chinese():
    cat = i18n.catalogue()
    teaching = [k for k in cat if k.split(".")[0] in {"fb", "check", "progress", "grade", "quiz", "lab", "sus"}]
    assert len(teaching) > 40
    for key in teaching:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in cat[key]["zh"]), key


def test_t_formats_and_switches_language():
    assert i18n.t("fb.correct", name="q1") == "✔ q1: correct."
    assert i18n.t("fb.correct", lang="zh", name="q1") == "✔ q1:正确。"


def test_unknown_key_and_language_are_typed_errors():
    with pytest.raises(ConfigError) as err:
        i18n.t("no.such.key")
    assert err.value.field == "key"
    with pytest.raises(ConfigError) as err:
        i18n.t("fb.correct", lang="fr", name="q1")
    assert err.value.field == "lang"


def test_register_refuses_conflicts_and_bad_languages():
    i18n.register({"test.i18n.same": {"en": "a", "zh": "甲"}})
    i18n.register({"test.i18n.same": {"en": "a", "zh": "甲"}})  # same text again is fine
    with pytest.raises(ConfigError):
        i18n.register({"test.i18n.same": {"en": "b", "zh": "乙"}})
    with pytest.raises(ConfigError):
        i18n.register({"test.i18n.bad": {"en": "a", "de": "b"}})
