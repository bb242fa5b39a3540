from crmlab import i18n
from crmlab.ops.messages import MESSAGES, render


def test_every_message_has_both_languages():
    for key, texts in MESSAGES.items():
        assert texts.get("en") and texts.get("zh"), key
    cat = i18n.catalogue()
    assert all(k in cat for k in MESSAGES)


def test_error_renders_in_chinese():
    from crmlab.ops.fields import to_phone
    from crmlab.errors import ValidationError
    import pytest
    with pytest.raises(ValidationError) as err:
        to_phone("phone", "123")
    assert err.value.message("zh").startswith("phone: 不是有效的电话号码")
    assert render("ops.negative", "zh", value=-1) == "不能为负数(金额必须 ≥ 0),实际是 -1"
