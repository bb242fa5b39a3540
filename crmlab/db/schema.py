"""The CRM database schema: SQLAlchemy 2 Core metadata, the one definition for SQLite and PostgreSQL.

Conventions (they keep one schema portable across both engines):

* surrogate integer keys ``<entity>_id``; natural codes (``customer_code``, ``order_no`` ...) are UNIQUE;
* money is ``NUMERIC(14, 2)`` in yuan (元) and never negative (CHECK);
* enumerations are TEXT with a CHECK list (the lists live in :data:`ENUMS`, so code and docs share them);
* flags are ``SMALLINT`` 0/1 with a CHECK, the same literals on both engines;
* timestamps are stored on SQLite as ``'YYYY-MM-DD HH:MM:SS'`` text (sortable as text), as
  ``TIMESTAMP`` on PostgreSQL; "now" is always a parameter (the simulation clock);
* business records are archived (``status='archived'``), not deleted; a merge keeps ``merged_into_id``.

``datasets/README.md`` is the data dictionary: every table and column with its meaning, unit,
Chinese term and the seed's data kind (描述性 / 促销活动 / 交易 / 服务数据).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as _sqlite
from sqlalchemy.ext.compiler import compiles

metadata = sa.MetaData()

# --- portable column types -------------------------------------------------------------------
#: Timestamp stored as 'YYYY-MM-DD HH:MM:SS' text on SQLite, TIMESTAMP on PostgreSQL.
class _SqliteTimestamp(_sqlite.DATETIME):
    """Declared as ``TIMESTAMP TEXT`` on SQLite: TEXT affinity, so the stored text is never first
    tried as a number (NUMERIC affinity, SQLite's rule for DATETIME) — faster loads, same values."""


class _SqliteDate(_sqlite.DATE):
    """Declared as ``DATE TEXT`` on SQLite (TEXT affinity), stored as 'YYYY-MM-DD'."""


@compiles(_SqliteTimestamp, "sqlite")
def _ts_ddl(type_, compiler, **kw):
    return "TIMESTAMP TEXT"


@compiles(_SqliteDate, "sqlite")
def _date_ddl(type_, compiler, **kw):
    return "DATE TEXT"


Timestamp = sa.DateTime().with_variant(
    _SqliteTimestamp(
        storage_format="%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d",
        regexp=r"(\d+)-(\d+)-(\d+)[ T](\d+):(\d+):(\d+)",
    ),
    "sqlite",
)
#: Calendar date stored as 'YYYY-MM-DD'.
Date = sa.Date().with_variant(_SqliteDate(), "sqlite")
#: Money in yuan with two decimals.
Money = sa.Numeric(14, 2, asdecimal=False)
Flag = sa.SmallInteger

# --- enumerations (CHECK lists); the data dictionary explains each value -------------------------
ENUMS: dict[str, tuple[str, ...]] = {
    "customer_type": ("person", "company"),
    "record_status": ("active", "archived", "merged"),
    "gender": ("F", "M"),
    "marital_status": ("single", "married", "divorced", "widowed"),
    "category_code": ("important", "ordinary", "potential"),
    "acquisition_channel": ("search", "social", "referral", "marketplace", "offline", "campaign"),
    "role_code": ("admin", "sales_manager", "sales_rep", "service_agent", "analyst"),
    "perm_action": ("create", "read", "update", "delete", "import", "export"),
    "perm_scope": ("all", "team", "own", "none"),
    "buying_role": ("user", "influencer", "decider", "approver", "buyer"),
    "interaction_channel": ("phone", "email", "sms", "visit", "chat", "wechat"),
    "interaction_direction": ("inbound", "outbound"),
    "interaction_kind": ("follow_up", "return_visit", "care", "complaint", "sales", "other"),
    "order_channel": ("web", "app", "mini_program", "store"),
    "order_status": ("placed", "paid", "shipped", "delivered", "cancelled", "returned"),
    "ticket_kind": ("complaint", "inquiry", "feedback"),
    "ticket_category": ("product_quality", "logistics", "service_attitude", "billing", "after_sales", "other"),
    "ticket_channel": ("phone", "email", "sms", "wechat", "chat", "visit", "other"),
    "ticket_priority": ("low", "normal", "high", "urgent"),
    "ticket_status": ("open", "in_progress", "resolved", "closed"),
    "task_kind": ("follow_up", "return_visit", "care", "complaint_response", "payment_reminder",
                  "win_back", "recommendation"),
    "task_status": ("open", "done", "cancelled"),
    "survey_code": ("csi", "servqual", "kano", "nps"),
    "campaign_kind": ("promotion", "retention", "win_back", "acquisition", "cross_sell"),
    "campaign_channel": ("email", "sms", "app_push", "wechat", "coupon", "live_stream"),
    "campaign_status": ("planning", "active", "completed", "cancelled"),
    "trigger_mode": ("scheduled", "event_triggered"),
    "member_group": ("treatment", "control"),
    "opportunity_status": ("open", "won", "lost"),
    "audit_action": ("create", "update", "delete", "archive", "restore", "merge", "import"),
    "automation_trigger": ("unpaid_order", "after_purchase", "lapsed"),
    "automation_action": ("create_task", "add_to_campaign", "send_message"),
    "backup_method": ("sqlite_backup", "sql_dump"),
}


def _in(col: str, enum: str, nullable: bool = False) -> sa.CheckConstraint:
    values = ", ".join(f"'{v}'" for v in ENUMS[enum])
    expr = f"{col} IN ({values})"
    if nullable:
        expr = f"{col} IS NULL OR {expr}"
    return sa.CheckConstraint(expr, name=f"ck_{enum}_{col}")


def _nonneg(*cols: str) -> list[sa.CheckConstraint]:
    return [sa.CheckConstraint(f"{c} IS NULL OR {c} >= 0", name=f"ck_nonneg_{c}") for c in cols]


def _flag(col: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{col} IN (0, 1)", name=f"ck_flag_{col}")


def _fk(target: str, ondelete: str = "RESTRICT") -> sa.ForeignKey:
    return sa.ForeignKey(target, ondelete=ondelete)


# ============================== 1. Users, roles, permissions ==================================
teams = sa.Table(
    "teams", metadata,
    sa.Column("team_id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
)

roles = sa.Table(
    "roles", metadata,
    sa.Column("role_id", sa.Integer, primary_key=True),
    sa.Column("code", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("name_zh", sa.Text, nullable=False),
    _in("code", "role_code"),
)

role_permissions = sa.Table(
    "role_permissions", metadata,
    sa.Column("role_id", sa.Integer, _fk("roles.role_id", "CASCADE"), primary_key=True),
    sa.Column("entity", sa.Text, primary_key=True),
    sa.Column("action", sa.Text, primary_key=True),
    sa.Column("scope", sa.Text, nullable=False),
    _in("action", "perm_action"),
    _in("scope", "perm_scope"),
)

users = sa.Table(
    "users", metadata,
    sa.Column("user_id", sa.Integer, primary_key=True),
    sa.Column("username", sa.Text, nullable=False, unique=True),
    sa.Column("full_name", sa.Text, nullable=False),
    sa.Column("email", sa.Text, unique=True),
    sa.Column("role_id", sa.Integer, _fk("roles.role_id"), nullable=False),
    sa.Column("team_id", sa.Integer, _fk("teams.team_id", "SET NULL")),
    sa.Column("is_active", Flag, nullable=False, server_default="1"),
    sa.Column("created_at", Timestamp, nullable=False),
    _flag("is_active"),
)

# ============================== 2. Campaigns (referenced by customers and orders) ===============
campaigns = sa.Table(
    "campaigns", metadata,
    sa.Column("campaign_id", sa.Integer, primary_key=True),
    sa.Column("code", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("trigger_mode", sa.Text, nullable=False, server_default="scheduled"),
    sa.Column("status", sa.Text, nullable=False, server_default="planning"),
    sa.Column("objective", sa.Text),          # 促销活动的目的 / 目标客户及意图
    sa.Column("content", sa.Text),            # 促销活动的内容
    sa.Column("location", sa.Text),           # 地点 (online channel or city)
    sa.Column("target_segment", sa.Text),
    sa.Column("start_date", Date, nullable=False),
    sa.Column("end_date", Date),
    sa.Column("budget", Money),
    sa.Column("actual_cost", Money, nullable=False, server_default="0"),
    sa.Column("cost_per_contact", Money),
    sa.Column("owner_user_id", sa.Integer, _fk("users.user_id", "SET NULL")),
    _in("kind", "campaign_kind"),
    _in("channel", "campaign_channel"),
    _in("trigger_mode", "trigger_mode"),
    _in("status", "campaign_status"),
    *_nonneg("budget", "actual_cost", "cost_per_contact"),
    sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ck_campaign_dates"),
)

# ============================== 3. Customers, suppliers, contacts ===============================
customer_categories = sa.Table(
    "customer_categories", metadata,
    sa.Column("category_id", sa.Integer, primary_key=True),
    sa.Column("code", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("name_zh", sa.Text, nullable=False),       # 重要 / 一般 / 潜在
    sa.Column("name_zh_alt", sa.Text, nullable=False),   # 重点 / 基础 / 潜在
    sa.Column("min_annual_spend", Money),
    sa.Column("sort_order", sa.Integer, nullable=False),
    _in("code", "category_code"),
    *_nonneg("min_annual_spend"),
)

customers = sa.Table(
    "customers", metadata,
    sa.Column("customer_id", sa.Integer, primary_key=True),
    sa.Column("customer_code", sa.Text, nullable=False, unique=True),
    sa.Column("customer_type", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    # consumer descriptive data (描述性数据): seed 001 field list
    sa.Column("gender", sa.Text),
    sa.Column("birth_date", Date),
    sa.Column("occupation", sa.Text),
    sa.Column("monthly_income", Money),
    sa.Column("marital_status", sa.Text),
    sa.Column("household_size", sa.Integer),
    sa.Column("province", sa.Text),
    sa.Column("city", sa.Text),
    sa.Column("address", sa.Text),
    sa.Column("phone", sa.Text),
    sa.Column("email", sa.Text),
    sa.Column("credit_rating", sa.Integer),              # 信用情况: 0-100 score
    # business-customer fields (企业客户): bank account, credit limit, payment record, indices
    sa.Column("industry", sa.Text),
    sa.Column("bank_account", sa.Text),
    sa.Column("credit_limit", Money),
    sa.Column("payment_terms_days", sa.Integer),
    sa.Column("loyalty_index", sa.Float),                # 忠诚度指数 0-100
    sa.Column("potential_index", sa.Float),              # 潜在消费者指数 0-100
    sa.Column("new_product_affinity", sa.Float),         # 对新产品的倾向 0-1
    # relationship management
    sa.Column("category_id", sa.Integer, _fk("customer_categories.category_id"), nullable=False),
    sa.Column("owner_user_id", sa.Integer, _fk("users.user_id", "SET NULL")),
    sa.Column("acquisition_channel", sa.Text),
    sa.Column("acquired_campaign_id", sa.Integer, _fk("campaigns.campaign_id", "SET NULL")),
    sa.Column("registered_at", Timestamp, nullable=False),
    sa.Column("marketing_opt_in", Flag, nullable=False, server_default="1"),
    sa.Column("status", sa.Text, nullable=False, server_default="active"),
    sa.Column("merged_into_id", sa.Integer, _fk("customers.customer_id", "SET NULL")),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    _in("customer_type", "customer_type"),
    _in("status", "record_status"),
    _in("gender", "gender", nullable=True),
    _in("marital_status", "marital_status", nullable=True),
    _in("acquisition_channel", "acquisition_channel", nullable=True),
    _flag("marketing_opt_in"),
    *_nonneg("monthly_income", "credit_limit", "payment_terms_days", "household_size"),
    sa.CheckConstraint("credit_rating IS NULL OR credit_rating BETWEEN 0 AND 100", name="ck_credit_rating"),
    sa.CheckConstraint("length(trim(name)) > 0", name="ck_customer_name"),
    sa.CheckConstraint("email IS NULL OR email LIKE '%_@_%._%'", name="ck_customer_email"),
    sa.CheckConstraint("merged_into_id IS NULL OR (merged_into_id <> customer_id AND status = 'merged')",
                       name="ck_customer_merge"),
)
sa.Index("ix_customers_phone", customers.c.phone)
sa.Index("ix_customers_name", customers.c.name)
sa.Index("ix_customers_category", customers.c.category_id)
sa.Index("ix_customers_owner", customers.c.owner_user_id)

suppliers = sa.Table(
    "suppliers", metadata,
    sa.Column("supplier_id", sa.Integer, primary_key=True),
    sa.Column("supplier_code", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("phone", sa.Text),
    sa.Column("email", sa.Text),
    sa.Column("province", sa.Text),
    sa.Column("city", sa.Text),
    sa.Column("address", sa.Text),
    sa.Column("bank_account", sa.Text),
    sa.Column("rating", sa.SmallInteger),
    sa.Column("owner_user_id", sa.Integer, _fk("users.user_id", "SET NULL")),
    sa.Column("status", sa.Text, nullable=False, server_default="active"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    _in("status", "record_status"),
    sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="ck_supplier_rating"),
    sa.CheckConstraint("length(trim(name)) > 0", name="ck_supplier_name"),
    sa.CheckConstraint("email IS NULL OR email LIKE '%_@_%._%'", name="ck_supplier_email"),
)

contacts = sa.Table(
    "contacts", metadata,
    sa.Column("contact_id", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Integer, _fk("customers.customer_id", "CASCADE")),
    sa.Column("supplier_id", sa.Integer, _fk("suppliers.supplier_id", "CASCADE")),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("job_title", sa.Text),
    sa.Column("buying_role", sa.Text),                   # 采购角色: user/influencer/decider/approver/buyer
    sa.Column("phone", sa.Text),
    sa.Column("email", sa.Text),
    sa.Column("is_primary", Flag, nullable=False, server_default="0"),
    sa.Column("status", sa.Text, nullable=False, server_default="active"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    _in("buying_role", "buying_role", nullable=True),
    _in("status", "record_status"),
    _flag("is_primary"),
    sa.CheckConstraint("(customer_id IS NULL) <> (supplier_id IS NULL)", name="ck_contact_one_parent"),
    sa.CheckConstraint("email IS NULL OR email LIKE '%_@_%._%'", name="ck_contact_email"),
)
sa.Index("ix_contacts_customer", contacts.c.customer_id)
sa.Index("ix_contacts_supplier", contacts.c.supplier_id)

# ============================== 4. Products and orders (交易数据) ===============================
product_categories = sa.Table(
    "product_categories", metadata,
    sa.Column("product_category_id", sa.Integer, primary_key=True),
    sa.Column("code", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("name_zh", sa.Text, nullable=False),
    sa.Column("department", sa.Text, nullable=False),
)

products = sa.Table(
    "products", metadata,
    sa.Column("product_id", sa.Integer, primary_key=True),
    sa.Column("sku", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("product_category_id", sa.Integer, _fk("product_categories.product_category_id"), nullable=False),
    sa.Column("supplier_id", sa.Integer, _fk("suppliers.supplier_id", "SET NULL")),
    sa.Column("list_price", Money, nullable=False),
    sa.Column("unit_cost", Money, nullable=False),
    sa.Column("is_active", Flag, nullable=False, server_default="1"),
    _flag("is_active"),
    *_nonneg("list_price", "unit_cost"),
)


def _order_tables(prefix: str = "") -> tuple[sa.Table, sa.Table]:
    """orders + order_lines; the hold-out future uses the same columns under ``holdout_``."""
    orders_t = sa.Table(
        f"{prefix}orders", metadata,
        sa.Column("order_id", sa.Integer, primary_key=True),
        sa.Column("order_no", sa.Text, nullable=False, unique=True),
        sa.Column("customer_id", sa.Integer, _fk("customers.customer_id"), nullable=False),
        sa.Column("campaign_id", sa.Integer, _fk("campaigns.campaign_id", "SET NULL")),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("ordered_at", Timestamp, nullable=False),
        sa.Column("due_at", Timestamp, nullable=False),          # payment due (credit terms)
        sa.Column("paid_at", Timestamp),
        sa.Column("shipped_at", Timestamp),
        sa.Column("delivered_at", Timestamp),
        sa.Column("n_items", sa.Integer, nullable=False),
        sa.Column("gross_amount", Money, nullable=False),        # Σ quantity × unit_price
        sa.Column("discount", Money, nullable=False, server_default="0"),
        sa.Column("amount", Money, nullable=False),              # gross_amount − discount (实付金额)
        sa.Column("cost", Money, nullable=False),                # Σ quantity × unit_cost
        _in("channel", "order_channel"),
        _in("status", "order_status"),
        *_nonneg("gross_amount", "discount", "amount", "cost"),
        sa.CheckConstraint("n_items > 0", name=f"ck_{prefix}orders_items"),
        sa.CheckConstraint("discount <= gross_amount", name=f"ck_{prefix}orders_discount"),
        sa.CheckConstraint("due_at >= ordered_at", name=f"ck_{prefix}orders_due"),
        sa.CheckConstraint("paid_at IS NULL OR paid_at >= ordered_at", name=f"ck_{prefix}orders_paid"),
        # shipped/delivered orders may still be unpaid: business customers buy on credit (赊销)
        sa.CheckConstraint("status <> 'paid' OR paid_at IS NOT NULL", name=f"ck_{prefix}orders_paid_status"),
        sa.CheckConstraint("status <> 'placed' OR paid_at IS NULL", name=f"ck_{prefix}orders_placed"),
    )
    sa.Index(f"ix_{prefix}orders_customer", orders_t.c.customer_id)
    sa.Index(f"ix_{prefix}orders_ordered_at", orders_t.c.ordered_at)
    lines_t = sa.Table(
        f"{prefix}order_lines", metadata,
        sa.Column("order_id", sa.Integer, _fk(f"{prefix}orders.order_id", "CASCADE"), primary_key=True),
        sa.Column("line_no", sa.Integer, primary_key=True),
        sa.Column("product_id", sa.Integer, _fk("products.product_id"), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("unit_price", Money, nullable=False),
        sa.Column("unit_cost", Money, nullable=False),
        sa.CheckConstraint("line_no > 0", name=f"ck_{prefix}lines_no"),
        sa.CheckConstraint("quantity > 0", name=f"ck_{prefix}lines_qty"),
        *[sa.CheckConstraint(f"{c} >= 0", name=f"ck_{prefix}lines_{c}") for c in ("unit_price", "unit_cost")],
    )
    return orders_t, lines_t


orders, order_lines = _order_tables()
#: The hold-out future: orders after the observation date, kept apart so predictions can be scored.
holdout_orders, holdout_order_lines = _order_tables("holdout_")

# ============================== 5. Sales pipeline (销售漏斗) =====================================
pipeline_stages = sa.Table(
    "pipeline_stages", metadata,
    sa.Column("stage_id", sa.Integer, primary_key=True),
    sa.Column("code", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("name_zh", sa.Text, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False, unique=True),
    sa.Column("probability", sa.SmallInteger, nullable=False),
    sa.Column("is_won", Flag, nullable=False, server_default="0"),
    sa.Column("is_lost", Flag, nullable=False, server_default="0"),
    _flag("is_won"), _flag("is_lost"),
    sa.CheckConstraint("probability BETWEEN 0 AND 100", name="ck_stage_probability"),
    sa.CheckConstraint("NOT (is_won = 1 AND is_lost = 1)", name="ck_stage_won_lost"),
    sa.CheckConstraint("is_won = 0 OR probability = 100", name="ck_stage_won"),
    sa.CheckConstraint("is_lost = 0 OR probability = 0", name="ck_stage_lost"),
)

opportunities = sa.Table(
    "opportunities", metadata,
    sa.Column("opportunity_id", sa.Integer, primary_key=True),
    sa.Column("code", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("customer_id", sa.Integer, _fk("customers.customer_id", "CASCADE"), nullable=False),
    sa.Column("owner_user_id", sa.Integer, _fk("users.user_id", "SET NULL")),
    sa.Column("stage_id", sa.Integer, _fk("pipeline_stages.stage_id"), nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="open"),
    sa.Column("amount", Money, nullable=False),
    sa.Column("probability", sa.SmallInteger),          # NULL = the stage's default
    sa.Column("expected_close_date", Date),
    sa.Column("campaign_id", sa.Integer, _fk("campaigns.campaign_id", "SET NULL")),
    sa.Column("lost_reason", sa.Text),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.Column("closed_at", Timestamp),
    _in("status", "opportunity_status"),
    *_nonneg("amount"),
    sa.CheckConstraint("probability IS NULL OR probability BETWEEN 0 AND 100", name="ck_opp_probability"),
    sa.CheckConstraint("closed_at IS NULL OR closed_at >= created_at", name="ck_opp_closed"),
)
sa.Index("ix_opportunities_customer", opportunities.c.customer_id)

opportunity_stage_history = sa.Table(
    "opportunity_stage_history", metadata,
    sa.Column("history_id", sa.Integer, primary_key=True),
    sa.Column("opportunity_id", sa.Integer, _fk("opportunities.opportunity_id", "CASCADE"), nullable=False),
    sa.Column("from_stage_id", sa.Integer, _fk("pipeline_stages.stage_id")),
    sa.Column("to_stage_id", sa.Integer, _fk("pipeline_stages.stage_id"), nullable=False),
    sa.Column("changed_at", Timestamp, nullable=False),
    sa.Column("changed_by", sa.Integer, _fk("users.user_id", "SET NULL")),
)
sa.Index("ix_stage_history_opportunity", opportunity_stage_history.c.opportunity_id)

# ============================== 6. Service (服务数据) ============================================
tickets = sa.Table(
    "tickets", metadata,
    sa.Column("ticket_id", sa.Integer, primary_key=True),
    sa.Column("ticket_no", sa.Text, nullable=False, unique=True),
    sa.Column("customer_id", sa.Integer, _fk("customers.customer_id"), nullable=False),
    sa.Column("order_id", sa.Integer, _fk("orders.order_id", "SET NULL")),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("priority", sa.Text, nullable=False, server_default="normal"),
    sa.Column("status", sa.Text, nullable=False, server_default="open"),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("root_cause", sa.Text),
    sa.Column("assigned_user_id", sa.Integer, _fk("users.user_id", "SET NULL")),
    sa.Column("opened_at", Timestamp, nullable=False),
    sa.Column("response_due_at", Timestamp, nullable=False),   # opened_at + 24 h for complaints
    sa.Column("first_response_at", Timestamp),
    sa.Column("resolved_at", Timestamp),
    sa.Column("resolution", sa.Text),
    sa.Column("satisfaction", sa.SmallInteger),                # 1-5 after resolution
    _in("kind", "ticket_kind"),
    _in("category", "ticket_category"),
    _in("channel", "ticket_channel"),
    _in("priority", "ticket_priority"),
    _in("status", "ticket_status"),
    sa.CheckConstraint("response_due_at > opened_at", name="ck_ticket_due"),
    sa.CheckConstraint("first_response_at IS NULL OR first_response_at >= opened_at", name="ck_ticket_response"),
    sa.CheckConstraint("resolved_at IS NULL OR resolved_at >= opened_at", name="ck_ticket_resolved"),
    sa.CheckConstraint("status NOT IN ('resolved','closed') OR resolved_at IS NOT NULL",
                       name="ck_ticket_resolved_status"),
    sa.CheckConstraint("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="ck_ticket_satisfaction"),
)
sa.Index("ix_tickets_customer", tickets.c.customer_id)

tasks = sa.Table(
    "tasks", metadata,
    sa.Column("task_id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("customer_id", sa.Integer, _fk("customers.customer_id", "CASCADE"), nullable=False),
    sa.Column("contact_id", sa.Integer, _fk("contacts.contact_id", "SET NULL")),
    sa.Column("ticket_id", sa.Integer, _fk("tickets.ticket_id", "SET NULL")),
    sa.Column("order_id", sa.Integer, _fk("orders.order_id", "SET NULL")),
    sa.Column("assigned_user_id", sa.Integer, _fk("users.user_id", "SET NULL")),
    sa.Column("created_by", sa.Integer, _fk("users.user_id", "SET NULL")),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("due_at", Timestamp, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="open"),
    sa.Column("completed_at", Timestamp),
    sa.Column("outcome", sa.Text),
    sa.Column("effect_score", sa.SmallInteger),                # 关怀效果评价 1-5
    sa.Column("created_at", Timestamp, nullable=False),
    _in("kind", "task_kind"),
    _in("status", "task_status"),
    sa.CheckConstraint("(status = 'done') = (completed_at IS NOT NULL)", name="ck_task_done"),
    sa.CheckConstraint("effect_score IS NULL OR effect_score BETWEEN 1 AND 5", name="ck_task_effect"),
)
sa.Index("ix_tasks_customer", tasks.c.customer_id)

interactions = sa.Table(
    "interactions", metadata,
    sa.Column("interaction_id", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Integer, _fk("customers.customer_id", "CASCADE"), nullable=False),
    sa.Column("contact_id", sa.Integer, _fk("contacts.contact_id", "SET NULL")),
    sa.Column("user_id", sa.Integer, _fk("users.user_id", "SET NULL")),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("direction", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("occurred_at", Timestamp, nullable=False),
    sa.Column("duration_minutes", sa.Integer),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("outcome", sa.Text),
    sa.Column("next_follow_up_at", Timestamp),
    sa.Column("ticket_id", sa.Integer, _fk("tickets.ticket_id", "SET NULL")),
    sa.Column("opportunity_id", sa.Integer, _fk("opportunities.opportunity_id", "SET NULL")),
    sa.Column("task_id", sa.Integer, _fk("tasks.task_id", "SET NULL")),
    sa.Column("created_at", Timestamp, nullable=False),
    _in("channel", "interaction_channel"),
    _in("direction", "interaction_direction"),
    _in("kind", "interaction_kind"),
    *_nonneg("duration_minutes"),
    sa.CheckConstraint("next_follow_up_at IS NULL OR next_follow_up_at >= occurred_at",
                       name="ck_interaction_follow_up"),
)
sa.Index("ix_interactions_customer", interactions.c.customer_id)

# ============================== 7. Surveys (satisfaction, SERVQUAL, Kano, NPS) ===================
survey_instruments = sa.Table(
    "survey_instruments", metadata,
    sa.Column("instrument_id", sa.Integer, primary_key=True),
    sa.Column("code", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("name_zh", sa.Text, nullable=False),
    sa.Column("scale_min", sa.SmallInteger, nullable=False),
    sa.Column("scale_max", sa.SmallInteger, nullable=False),
    sa.Column("description", sa.Text),
    _in("code", "survey_code"),
    sa.CheckConstraint("scale_max > scale_min", name="ck_instrument_scale"),
)

survey_items = sa.Table(
    "survey_items", metadata,
    sa.Column("item_id", sa.Integer, primary_key=True),
    sa.Column("instrument_id", sa.Integer, _fk("survey_instruments.instrument_id", "CASCADE"), nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("construct", sa.Text, nullable=False),     # latent variable / SERVQUAL dimension / Kano feature
    sa.Column("facet", sa.Text),                         # expectation|perception, functional|dysfunctional
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("text_zh", sa.Text, nullable=False),
    sa.Column("weight", sa.Float),
    sa.UniqueConstraint("instrument_id", "code", name="uq_survey_item_code"),
)

survey_responses = sa.Table(
    "survey_responses", metadata,
    sa.Column("response_id", sa.Integer, primary_key=True),
    sa.Column("instrument_id", sa.Integer, _fk("survey_instruments.instrument_id", "CASCADE"), nullable=False),
    sa.Column("customer_id", sa.Integer, _fk("customers.customer_id", "CASCADE"), nullable=False),
    sa.Column("responded_at", Timestamp, nullable=False),
    sa.Column("channel", sa.Text),
    sa.UniqueConstraint("instrument_id", "customer_id", name="uq_survey_response"),
)

survey_answers = sa.Table(
    "survey_answers", metadata,
    sa.Column("response_id", sa.Integer, _fk("survey_responses.response_id", "CASCADE"), primary_key=True),
    sa.Column("item_id", sa.Integer, _fk("survey_items.item_id", "CASCADE"), primary_key=True),
    sa.Column("value", sa.SmallInteger, nullable=False),
)

# ============================== 8. Campaign members (促销活动数据) ================================
campaign_members = sa.Table(
    "campaign_members", metadata,
    sa.Column("campaign_id", sa.Integer, _fk("campaigns.campaign_id", "CASCADE"), primary_key=True),
    sa.Column("customer_id", sa.Integer, _fk("customers.customer_id", "CASCADE"), primary_key=True),
    sa.Column("group", sa.Text, nullable=False),          # treatment (contacted) | control (held out)
    sa.Column("sent_at", Timestamp),
    sa.Column("opened_at", Timestamp),
    sa.Column("responded", Flag, nullable=False, server_default="0"),
    sa.Column("response_order_id", sa.Integer, _fk("orders.order_id", "SET NULL")),
    _in('"group"', "member_group"),
    _flag("responded"),
    sa.CheckConstraint("\"group\" = 'treatment' OR sent_at IS NULL", name="ck_member_control_not_sent"),
    sa.CheckConstraint("opened_at IS NULL OR (sent_at IS NOT NULL AND opened_at >= sent_at)",
                       name="ck_member_opened"),
)
sa.Index("ix_campaign_members_customer", campaign_members.c.customer_id)

# ============================== 9. Automation (event-triggered marketing) ========================
automation_rules = sa.Table(
    "automation_rules", metadata,
    sa.Column("rule_id", sa.Integer, primary_key=True),
    sa.Column("code", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("trigger", sa.Text, nullable=False),
    sa.Column("delay_hours", sa.Integer, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("task_kind", sa.Text),
    sa.Column("campaign_id", sa.Integer, _fk("campaigns.campaign_id", "SET NULL")),
    sa.Column("is_active", Flag, nullable=False, server_default="1"),
    _in("trigger", "automation_trigger"),
    _in("action", "automation_action"),
    _in("task_kind", "task_kind", nullable=True),
    _flag("is_active"),
    *_nonneg("delay_hours"),
)

automation_runs = sa.Table(
    "automation_runs", metadata,
    sa.Column("run_id", sa.Integer, primary_key=True),
    sa.Column("rule_id", sa.Integer, _fk("automation_rules.rule_id", "CASCADE"), nullable=False),
    sa.Column("customer_id", sa.Integer, _fk("customers.customer_id", "CASCADE"), nullable=False),
    sa.Column("dedupe_key", sa.Text, nullable=False),
    sa.Column("fired_at", Timestamp, nullable=False),
    sa.Column("task_id", sa.Integer, _fk("tasks.task_id", "SET NULL")),
    sa.UniqueConstraint("rule_id", "customer_id", "dedupe_key", name="uq_automation_once"),
)

# ============================== 10. Governance ====================================================
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("audit_id", sa.Integer, primary_key=True),
    sa.Column("at", Timestamp, nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("record_id", sa.Integer, nullable=False),    # no FK: the audited row may be gone
    sa.Column("field", sa.Text),
    sa.Column("old_value", sa.Text),
    sa.Column("new_value", sa.Text),
    sa.Column("txn", sa.Text),                              # groups the rows of one write
    _in("action", "audit_action"),
    sa.CheckConstraint("action <> 'update' OR field IS NOT NULL", name="ck_audit_update_field"),
)
sa.Index("ix_audit_entity", audit_log.c.entity, audit_log.c.record_id)

backup_runs = sa.Table(
    "backup_runs", metadata,
    sa.Column("backup_id", sa.Integer, primary_key=True),
    sa.Column("at", Timestamp, nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("n_bytes", sa.BigInteger),
    _in("method", "backup_method"),
)

# ============================== 11. Metadata and planted truths ==================================
crmlab_meta = sa.Table(
    "crmlab_meta", metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),          # JSON
)

#: Per-customer latent truths of the simulator (what a student's estimate is scored against).
truth_customers = sa.Table(
    "truth_customers", metadata,
    sa.Column("customer_id", sa.Integer, _fk("customers.customer_id", "CASCADE"), primary_key=True),
    sa.Column("purchase_rate", sa.Float, nullable=False),     # λ, purchases per week while alive
    sa.Column("dropout_prob", sa.Float, nullable=False),      # p, chance to drop out after a purchase
    sa.Column("spend_nu", sa.Float, nullable=False),          # ν of the gamma-gamma spend model
    sa.Column("mean_spend", sa.Float, nullable=False),        # E[order value] = p_spend / ν (yuan)
    sa.Column("alive_at_end", Flag, nullable=False),          # still active at the observation date
    sa.Column("dropout_at", Timestamp),                       # when the customer became inactive
    sa.Column("alive_at_holdout_end", Flag, nullable=False),
    sa.Column("stage", sa.Text, nullable=False),              # planted lifecycle stage (stage codes)
    sa.Column("segment", sa.Text, nullable=False),            # planted behavioural segment
    sa.Column("churn_type", sa.Text),                         # natural/competitive/malicious/negligent
    sa.Column("credit_risk", sa.Float, nullable=False),       # probability an invoice is paid late
    sa.Column("attitude", sa.Float, nullable=False),          # attitudinal loyalty (latent, N(0,1))
    sa.Column("price_sensitivity", sa.Float, nullable=False),
    _flag("alive_at_end"), _flag("alive_at_holdout_end"),
)

#: Tables the simulator owns (written by simulate, in dependency order).
TABLES: list[str] = [t.name for t in metadata.sorted_tables]


def table(name: str) -> sa.Table:
    """The :class:`sqlalchemy.Table` called ``name`` (raises KeyError with the known names)."""
    try:
        return metadata.tables[name]
    except KeyError:
        raise KeyError(f"no table {name!r}; tables are: {', '.join(sorted(metadata.tables))}") from None
