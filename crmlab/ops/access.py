"""Who is acting, and what their role may do (role × entity × action × scope).

The matrix is read from ``role_permissions`` (the simulator fills it from
:data:`crmlab.ops.permissions.DEFAULT_MATRIX`); cells missing from the table fall back to the default.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from crmlab.db import schema
from crmlab.errors import NotFound, PermissionDenied
from crmlab.ops.fields import fail
from crmlab.ops.messages import ACTION_ZH
from crmlab.ops.permissions import DEFAULT_MATRIX, ENTITIES as PERM_ENTITIES


@dataclass(frozen=True)
class User:
    user_id: int
    username: str
    role: str
    team_id: int | None


def load_user(conn, username) -> User:
    """The active user called ``username`` (or with that id)."""
    u, r = schema.users, schema.roles
    q = sa.select(u.c.user_id, u.c.username, r.c.code, u.c.team_id).join(r, r.c.role_id == u.c.role_id)
    if isinstance(username, int) and not isinstance(username, bool):
        q = q.where(u.c.user_id == username)
    elif isinstance(username, str):
        q = q.where(u.c.username == username)
    else:
        fail("user", "ops.unknown_user", cls=NotFound, value=str(username)[:40])
    row = conn.execute(q.where(u.c.is_active == 1)).first()
    if row is None:
        fail("user", "ops.unknown_user", cls=NotFound, value=str(username)[:40])
    return User(int(row[0]), row[1], row[2], None if row[3] is None else int(row[3]))


def load_matrix(conn, role: str) -> dict[str, dict[str, str]]:
    """``{entity: {action: scope}}`` for one role: the database's cells over the default ones."""
    matrix = {e: dict(a) for e, a in DEFAULT_MATRIX.get(role, {}).items()}
    rp, r = schema.role_permissions, schema.roles
    rows = conn.execute(sa.select(rp.c.entity, rp.c.action, rp.c.scope)
                        .join(r, r.c.role_id == rp.c.role_id).where(r.c.code == role)).fetchall()
    for entity, action, scope in rows:
        matrix.setdefault(entity, {})[action] = scope
    return matrix


def deny(user: User, entity: str, action: str, scope: str, *, out_of_scope: bool = False):
    zh = PERM_ENTITIES.get(entity, (entity, entity))[1]
    key = "ops.out_of_scope" if out_of_scope else "ops.permission"
    fail(entity, key, cls=PermissionDenied, role=user.role, action=action, action_zh=ACTION_ZH.get(action, action),
         entity=entity, entity_zh=zh, scope=scope)
