"""crmlab: a teaching lab for Customer Relationship Management (客户关系管理).

>>> import crmlab
>>> db = crmlab.simulate(n_customers=200, seed=7, url="sqlite://")   # a whole CRM database
>>> orders = crmlab.read_table(db, "orders")                          # DataFrames out
>>> truth = crmlab.truth(db)                                          # the planted truths

Subpackages, one per course module: ``crmlab.db`` and ``crmlab.simulate`` (M1), ``crmlab.value``
(M2, M3), ``crmlab.satisfaction`` (M4), ``crmlab.mining`` (M5), ``crmlab.ops`` (M6) and
``crmlab.teaching`` (labs, checks, release, grading).
"""
from __future__ import annotations

from crmlab.db import Database, connect, fingerprint, read_table
from crmlab.errors import (
    Conflict,
    ConfigError,
    CrmlabError,
    DataError,
    DatabaseNotEmpty,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from crmlab.simulate import simulate, truth

__version__ = "0.1.0"

_LAZY = {"Lab": ("crmlab.teaching", "Lab"), "CRM": ("crmlab.ops", "CRM")}


def __getattr__(name: str):
    # Heavier subpackages load on first use, so `import crmlab` stays quick.
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'crmlab' has no attribute {name!r}")


__all__ = [
    "Database", "connect", "fingerprint", "read_table", "simulate", "truth", "Lab", "CRM",
    "CrmlabError", "ConfigError", "DatabaseNotEmpty", "DataError", "ValidationError",
    "PermissionDenied", "NotFound", "Conflict",
]
