"""The default role × entity × action × scope permission matrix (权限矩阵).

A role may do an *action* (create, read, update, delete, import, export) on an *entity* within a
*scope*:

* ``all``  – every record;
* ``team`` – records owned by anyone in the user's team;
* ``own``  – records the user owns (``owner_user_id``) or, for records hanging off a customer
  (contacts, contact records, tickets, tasks, orders, opportunities), records of the user's own
  customers or assigned to the user;
* ``none`` – not at all.

The simulator writes this matrix into ``role_permissions``; :class:`crmlab.ops.CRM` reads it back
from the database, so an instructor can change a cell with SQL and see the effect.

>>> DEFAULT_MATRIX["sales_rep"]["customers"]["update"]
'own'
>>> DEFAULT_MATRIX["analyst"]["customers"]["update"]
'none'
>>> len(permission_rows()) == len(ROLES) * len(ENTITIES) * len(ACTIONS)
True
"""
from __future__ import annotations

ACTIONS: tuple[str, ...] = ("create", "read", "update", "delete", "import", "export")
SCOPES: tuple[str, ...] = ("all", "team", "own", "none")

#: role code -> (English name, Chinese name)
ROLES: dict[str, tuple[str, str]] = {
    "admin": ("Administrator", "系统管理员"),
    "sales_manager": ("Sales manager", "销售经理"),
    "sales_rep": ("Sales representative", "销售代表"),
    "service_agent": ("Service agent", "客服专员"),
    "analyst": ("Analyst", "数据分析员"),
}

#: entity -> (English name, Chinese name)
ENTITIES: dict[str, tuple[str, str]] = {
    "customers": ("customers", "客户"),
    "suppliers": ("suppliers", "供应商"),
    "contacts": ("contacts", "联系人"),
    "interactions": ("contact records", "联系记录"),
    "tickets": ("tickets (complaints, inquiries, feedback)", "服务工单(投诉、咨询、反馈)"),
    "campaigns": ("campaigns", "营销活动"),
    "opportunities": ("opportunities", "销售机会"),
    "tasks": ("tasks (care, follow-ups, return visits)", "任务(关怀、跟进、回访)"),
    "orders": ("orders", "订单"),
    "products": ("products", "产品"),
    "users": ("users", "用户"),
    "audit_log": ("audit log", "操作日志"),
}


def _row(create="none", read="none", update="none", delete="none", import_="none", export="none"):
    return {"create": create, "read": read, "update": update, "delete": delete,
            "import": import_, "export": export}


_FULL = _row("all", "all", "all", "all", "all", "all")
_READ_ALL = _row(read="all")
_READ_EXPORT = _row(read="all", export="all")
_NONE = _row()

#: DEFAULT_MATRIX[role][entity][action] -> scope
DEFAULT_MATRIX: dict[str, dict[str, dict[str, str]]] = {
    "admin": {
        **{e: dict(_FULL) for e in ENTITIES},
        # the log is append-only: nobody, not even the administrator, edits or deletes it
        "audit_log": _row(read="all", export="all"),
    },
    "sales_manager": {
        "customers": _row("team", "team", "team", "team", "team", "team"),
        "suppliers": _row(read="all", export="all"),
        "contacts": _row("team", "team", "team", "team", "team", "team"),
        "interactions": _row("team", "team", "team", "team", "team", "team"),
        "tickets": _row("team", "team", "team", "none", "none", "team"),
        "campaigns": _row("all", "all", "all", "all", "none", "all"),
        "opportunities": _row("team", "team", "team", "team", "team", "team"),
        "tasks": _row("team", "team", "team", "team", "none", "team"),
        "orders": _row(read="team", export="team"),
        "products": dict(_READ_ALL),
        "users": _row(read="team"),
        "audit_log": _row(read="team"),
    },
    "sales_rep": {
        "customers": _row("own", "own", "own", "none", "none", "own"),
        "suppliers": dict(_READ_ALL),
        "contacts": _row("own", "own", "own", "own", "none", "own"),
        "interactions": _row("own", "own", "own", "none", "none", "own"),
        "tickets": _row("own", "own", "none", "none", "none", "none"),
        "campaigns": dict(_READ_ALL),
        "opportunities": _row("own", "own", "own", "none", "none", "own"),
        "tasks": _row("own", "own", "own", "none", "none", "none"),
        "orders": _row(read="own"),
        "products": dict(_READ_ALL),
        "users": _row(read="own"),
        "audit_log": dict(_NONE),
    },
    "service_agent": {
        "customers": _row("all", "all", "all", "none", "none", "none"),
        "suppliers": dict(_READ_ALL),
        "contacts": _row("all", "all", "all", "none", "none", "none"),
        "interactions": _row("all", "all", "own", "none", "none", "none"),
        "tickets": _row("all", "all", "all", "none", "none", "all"),
        "campaigns": dict(_READ_ALL),
        "opportunities": dict(_NONE),
        "tasks": _row("all", "all", "all", "none", "none", "none"),
        "orders": dict(_READ_ALL),
        "products": dict(_READ_ALL),
        "users": _row(read="own"),
        "audit_log": dict(_NONE),
    },
    "analyst": {
        **{e: dict(_READ_EXPORT) for e in ENTITIES},
        "users": _row(read="all"),
        "audit_log": _row(read="all"),
    },
}


def permission_rows(matrix: dict | None = None) -> list[dict[str, str]]:
    """The matrix as rows ``{role_code, entity, action, scope}`` (one per cell), for ``role_permissions``.

    >>> permission_rows()[0]
    {'role_code': 'admin', 'entity': 'customers', 'action': 'create', 'scope': 'all'}
    """
    matrix = DEFAULT_MATRIX if matrix is None else matrix
    return [
        {"role_code": role, "entity": entity, "action": action, "scope": matrix[role][entity][action]}
        for role in ROLES for entity in ENTITIES for action in ACTIONS
    ]


__all__ = ["ACTIONS", "SCOPES", "ROLES", "ENTITIES", "DEFAULT_MATRIX", "permission_rows"]
