"""The CRM console works headless: list, form with field errors, timeline, complaint queue."""
from __future__ import annotations

import pytest

from crmlab.ops.widgets import Console

from conftest import NOW


@pytest.fixture
def console(crm_as):
    return Console(crm_as("alice"), page_size=2)


def test_list_search_filter_and_paging(console):
    assert list(console.search(category="important").customer_code) == ["C000001"]
    assert list(console.search(q="王芳", category="").customer_code) == ["C000001", "C000005"]
    console.search(q="", category="")
    assert "1 / 3" in console.page_label.value                      # 5 customers, 2 per page
    assert "C000001" in console.list_html.value


def test_form_shows_errors_next_to_field_and_saves(console, crm_as):
    console.fill("customers", name="新客户", phone="12345", category="important")
    assert console.save() is None
    assert "phone" in console.errors and "13812345678" in console.error_labels["phone"].value
    assert crm_as("alice").customers.count(name="新客户") == 0            # nothing written
    console.fill(phone="13812345678")
    rid = console.save()
    assert rid and crm_as("alice").customers.get(rid)["category_id"] == 1
    assert not console.errors and console.error_labels["phone"].value == ""
    assert "新客户" in console.search(q="新客户").name.tolist()
    console.fill("interactions", customer="C000001", channel="phone", subject="回访", next_follow_up_at="2024-07-07")
    assert console.save()
    console.fill("contacts", name="李四")
    assert console.save() is None and "customer" in console.errors        # needs one parent


def test_chinese_errors(crm_as):
    c = Console(crm_as("alice"), lang="zh")
    c.fill("customers", name="x", phone="13812345678", email="bad")
    c.save()
    assert "邮箱" in c.errors["email"]


def test_edit_existing_record(console, crm_as):
    console.entity.value = "customers"
    console.load("C000002")
    assert console.inputs["name"].value == "李雷" and console.inputs["category"].value == "ordinary"
    console.fill(city="天津")
    assert console.save() == 2
    assert crm_as("alice").customers.get(2)["city"] == "天津"


def test_timeline_and_queue(console):
    tl = console.show_timeline("C000001")
    assert {"order", "ticket"} <= set(tl.type) and "O00001" in console.timeline_html.value
    q = console.show_queue()
    assert list(q.ticket_no) == ["T000003", "T000004"] and "breached_open" in console.queue_html.value


def test_permissions_show_as_errors(crm_as):
    c = Console(crm_as("ana"))
    c.fill("customers", name="x", phone="13812345678")
    assert c.save() is None and c.errors
