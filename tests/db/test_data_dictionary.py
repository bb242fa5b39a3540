"""The data dictionary (datasets/README.md) documents every table, column and enumeration of the schema.

The Markdown is parsed: a table section starts with a heading ``### `name` ``; each column is a row
``| `column` | type | unit | meaning | 中文 | kind | values |``; each enumeration has a heading
``#### `enum_name` `` followed by rows ``| `value` | meaning | 中文 |``. A schema change that is not
documented (or a documented column that no longer exists) fails here.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from crmlab.db.schema import ENUMS, metadata

DICTIONARY = Path(__file__).resolve().parents[2] / "datasets" / "README.md"
KINDS = {"descriptive", "campaign", "transaction", "service", "system", "truth"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def parse(text: str) -> tuple[dict[str, dict[str, list[str]]], dict[str, dict[str, list[str]]]]:
    """→ ({table: {column: cells}}, {enum: {value: cells}}) from the dictionary's Markdown."""
    tables: dict[str, dict[str, list[str]]] = {}
    enums: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for line in text.splitlines():
        if m := re.match(r"^### `(\w+)`\s*$", line):
            current = tables.setdefault(m.group(1), {})
        elif m := re.match(r"^#### `(\w+)`\s*$", line):
            current = enums.setdefault(m.group(1), {})
        elif line.startswith("#"):
            current = None
        elif current is not None and (m := re.match(r"^\|\s*`([^`]+)`\s*\|", line)):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            current[m.group(1)] = cells
    return tables, enums


def enum_of(table: sa.Table, column: str) -> str | None:
    """The ENUMS list a column is checked against (from the schema's CHECK constraint names)."""
    names = {c.name for c in table.constraints if isinstance(c, sa.CheckConstraint)}
    for enum in ENUMS:
        if f"ck_{enum}_{column}" in names or f'ck_{enum}_"{column}"' in names:
            return enum
    return None


def problems(text: str) -> list[str]:
    """Every way the dictionary disagrees with the schema (empty list = in sync)."""
    tables, enums = parse(text)
    out = []
    for name, table in metadata.tables.items():
        if name not in tables:
            out.append(f"table {name} has no section")
            continue
        documented = tables[name]
        for col in table.columns:
            cells = documented.get(col.name)
            if cells is None:
                out.append(f"column {name}.{col.name} is not documented")
                continue
            if len(cells) != 7:
                out.append(f"{name}.{col.name}: expected 7 cells, found {len(cells)}")
                continue
            _, _type, unit, meaning, zh, kind, values = cells
            if not meaning or not unit:
                out.append(f"{name}.{col.name}: meaning or unit is empty")
            if not CJK.search(zh):
                out.append(f"{name}.{col.name}: no Chinese term")
            if kind not in KINDS:
                out.append(f"{name}.{col.name}: kind {kind!r} is not one of {sorted(KINDS)}")
            enum = enum_of(table, col.name)
            if enum:
                listed = set(re.findall(r"`([^`]+)`", values))
                missing = [v for v in ENUMS[enum] if v not in listed]
                if missing:
                    out.append(f"{name}.{col.name}: values {missing} of {enum} are not listed")
        for extra in set(documented) - set(table.columns.keys()):
            out.append(f"{name}.{extra} is documented but not in the schema")
    for extra in set(tables) - set(metadata.tables):
        out.append(f"table {extra} is documented but not in the schema")
    for enum, values in ENUMS.items():
        documented = enums.get(enum)
        if documented is None:
            out.append(f"enumeration {enum} has no section")
            continue
        for v in values:
            cells = documented.get(v)
            if cells is None:
                out.append(f"enumeration {enum}: value {v!r} is not explained")
            elif len(cells) != 3 or not cells[1] or not CJK.search(cells[2]):
                out.append(f"enumeration {enum}: value {v!r} needs a meaning and a Chinese term")
        for extra in set(documented) - set(values):
            out.append(f"enumeration {enum}: {extra!r} is documented but not allowed by the schema")
    return out


@pytest.fixture(scope="module")
def text() -> str:
    return DICTIONARY.read_text(encoding="utf-8")


def test_dictionary_matches_schema(text):
    assert problems(text) == []


def test_every_table_and_column_is_parsed(text):
    tables, enums = parse(text)
    assert set(tables) == set(metadata.tables)
    assert sum(len(cols) for cols in tables.values()) == sum(len(t.columns) for t in metadata.tables.values())
    assert set(enums) == set(ENUMS)


def test_the_four_data_kinds_are_named(text):
    for zh in ("描述性数据", "促销活动数据", "交易数据", "服务数据"):
        assert zh in text


def test_table_kinds_follow_the_course():
    tables, _ = parse(DICTIONARY.read_text(encoding="utf-8"))
    kind = {name: cols[next(iter(cols))][5] for name, cols in tables.items()}   # first column's kind
    assert kind["customers"] == "descriptive"
    assert kind["campaigns"] == "campaign"
    assert kind["orders"] == kind["holdout_orders"] == "transaction"
    assert kind["tickets"] == "service"
    assert kind["truth_customers"] == "truth"
    assert kind["audit_log"] == "system"


# --- the checker itself must catch drift -------------------------------------------------------
def test_a_missing_column_is_caught(text):
    broken = re.sub(r"^\| `customer_code` \|.*\n", "", text, count=1, flags=re.M)
    assert "column customers.customer_code is not documented" in problems(broken)


def test_a_missing_table_is_caught(text):
    broken = text.replace("### `survey_answers`", "### survey answers")
    assert "table survey_answers has no section" in problems(broken)


def test_a_missing_enum_value_is_caught(text):
    broken = text.replace("`placed`, `paid`, `shipped`", "`paid`, `shipped`")
    assert any("['placed'] of order_status are not listed" in p for p in problems(broken))


def test_a_stale_column_is_caught(text):
    row = "| `fax` | text | — | fax number | 传真 | descriptive |  |\n"
    broken = text.replace("| `customer_code` |", row + "| `customer_code` |", 1)
    assert "customers.fax is documented but not in the schema" in problems(broken)


def test_a_wrong_kind_is_caught(text):
    broken = re.sub(r"(^\| `order_no` \|[^\n]*\| )transaction( \|)", r"\1sales\2", text, count=1, flags=re.M)
    assert any(p.startswith("orders.order_no: kind 'sales'") for p in problems(broken))


def test_lab01_table_kinds_match_the_dictionary(text):
    from crmlab.labs.lab01 import TABLE_KIND

    tables, _ = parse(text)
    documented = {name: cols[next(iter(cols))][5] for name, cols in tables.items()}
    assert TABLE_KIND == documented
