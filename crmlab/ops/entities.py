"""What the CRM knows about each entity: its table, code, required fields, owners, search columns.

Column types, enumerations and foreign keys come from :mod:`crmlab.db.schema`, so the rules here
only add what a schema cannot say (formats, ranges, defaults, who owns a record).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from crmlab.db import schema

LONG_TEXT = 2000
SHORT_TEXT = 200


@dataclass(frozen=True)
class Entity:
    name: str                       # collection / permission entity name (= table name)
    zh: str
    pk: str
    code: str | None = None         # natural unique code column
    code_prefix: str = ""
    required: tuple[str, ...] = ()
    defaults: dict = field(default_factory=dict)   # column -> value or callable(crm) at create
    read_only: tuple[str, ...] = ()
    phone: tuple[str, ...] = ()
    email: tuple[str, ...] = ()
    ranges: dict = field(default_factory=dict)      # column -> (lo, hi)
    long_text: tuple[str, ...] = ()
    owner_cols: tuple[str, ...] = ()                # columns holding a user id that "owns" the row
    parent: str | None = None                       # customer_id for records hanging off a customer
    date_order: tuple[tuple[str, str], ...] = ()    # (later, earlier): later >= earlier
    search_text: tuple[str, ...] = ("name",)
    archive_to: tuple[str, str] | None = ("status", "archived")
    timestamps: bool = True                         # has created_at / updated_at

    @property
    def table(self) -> sa.Table:
        return schema.table(self.name)


_COMMON_RO = ("created_at", "updated_at")

ENTITIES: dict[str, Entity] = {
    "customers": Entity(
        "customers", "客户", "customer_id", code="customer_code", code_prefix="C",
        required=("name",),
        defaults={"customer_type": "person", "category_id": "potential", "marketing_opt_in": 1},
        read_only=("merged_into_id",) + _COMMON_RO,
        phone=("phone",), email=("email",),
        ranges={"credit_rating": (0, 100), "loyalty_index": (0, 100), "potential_index": (0, 100),
                "new_product_affinity": (0, 1), "household_size": (0, 50), "payment_terms_days": (0, 365)},
        long_text=("address",), owner_cols=("owner_user_id",),
        search_text=("name", "customer_code", "phone", "email", "city"),
    ),
    "suppliers": Entity(
        "suppliers", "供应商", "supplier_id", code="supplier_code", code_prefix="S",
        required=("name",), read_only=_COMMON_RO, phone=("phone",), email=("email",),
        ranges={"rating": (1, 5)}, long_text=("address",), owner_cols=("owner_user_id",),
        search_text=("name", "supplier_code", "phone", "email", "city"),
    ),
    "contacts": Entity(
        "contacts", "联系人", "contact_id", required=("name",), defaults={"is_primary": 0},
        read_only=_COMMON_RO, phone=("phone",), email=("email",), parent="customer_id",
        search_text=("name", "phone", "email", "job_title"),
    ),
    "interactions": Entity(
        "interactions", "联系记录", "interaction_id",
        required=("customer_id", "channel", "subject"),
        defaults={"direction": "outbound", "kind": "follow_up"},
        read_only=("created_at",), ranges={"duration_minutes": (0, 120)},
        long_text=("outcome",), owner_cols=("user_id",), parent="customer_id",
        date_order=(("next_follow_up_at", "occurred_at"),),
        search_text=("subject", "outcome"), archive_to=None, timestamps=False,
    ),
    "tickets": Entity(
        "tickets", "服务工单", "ticket_id", code="ticket_no", code_prefix="T",
        required=("customer_id", "channel", "subject"),
        defaults={"kind": "complaint", "category": "other", "priority": "normal", "status": "open"},
        read_only=("response_due_at",), ranges={"satisfaction": (1, 5)},
        long_text=("description", "resolution", "root_cause"), owner_cols=("assigned_user_id",),
        parent="customer_id",
        date_order=(("first_response_at", "opened_at"), ("resolved_at", "opened_at")),
        search_text=("ticket_no", "subject", "description"), archive_to=("status", "closed"), timestamps=False,
    ),
    "campaigns": Entity(
        "campaigns", "营销活动", "campaign_id", code="code", code_prefix="CMP",
        required=("name", "kind", "channel"),
        defaults={"trigger_mode": "scheduled", "status": "planning", "actual_cost": 0},
        long_text=("objective", "content"), owner_cols=("owner_user_id",),
        date_order=(("end_date", "start_date"),),
        search_text=("code", "name", "objective"), archive_to=("status", "cancelled"), timestamps=False,
    ),
    "opportunities": Entity(
        "opportunities", "销售机会", "opportunity_id", code="code", code_prefix="OPP",
        required=("name", "customer_id", "amount"), defaults={"status": "open"},
        read_only=("closed_at",) + _COMMON_RO, ranges={"probability": (0, 100)},
        long_text=("lost_reason",), owner_cols=("owner_user_id",), parent="customer_id",
        search_text=("code", "name"), archive_to=("status", "lost"),
    ),
    "tasks": Entity(
        "tasks", "任务", "task_id", required=("kind", "customer_id", "title", "due_at"),
        defaults={"status": "open"}, read_only=("created_by", "created_at"),
        ranges={"effect_score": (1, 5)}, long_text=("outcome",),
        owner_cols=("assigned_user_id",), parent="customer_id",
        search_text=("title", "outcome"), archive_to=("status", "cancelled"), timestamps=False,
    ),
}

#: column name -> ENUMS key, read from the schema's CHECK constraint names (ck_<enum>_<column>)
def enum_map(table: sa.Table) -> dict[str, str]:
    out = {}
    for con in table.constraints:
        if isinstance(con, sa.CheckConstraint) and isinstance(con.name, str) and con.name.startswith("ck_"):
            for enum in schema.ENUMS:
                for col in table.columns:
                    cname = col.name
                    if con.name in (f"ck_{enum}_{cname}", f'ck_{enum}_"{cname}"'):
                        out[cname] = enum
    return out


def fk_map(table: sa.Table) -> dict[str, tuple[str, str]]:
    """column -> (target table, target column)."""
    out = {}
    for col in table.columns:
        for fk in col.foreign_keys:
            out[col.name] = (fk.column.table.name, fk.column.name)
    return out


#: tables whose rows may be named by a code instead of an id (table -> code column)
CODE_COLUMNS = {"customers": "customer_code", "suppliers": "supplier_code", "tickets": "ticket_no",
                "campaigns": "code", "opportunities": "code", "orders": "order_no",
                "customer_categories": "code", "pipeline_stages": "code", "users": "username",
                "roles": "code", "products": "sku"}
