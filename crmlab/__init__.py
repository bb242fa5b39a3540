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

__version__ = "0.1.0"

# Everything heavier than the error classes loads on first use, so `import crmlab` and the command
# line's --help stay quick (numpy, pandas, scipy and SQLAlchemy take seconds to import).
_LAZY = {"Database": ("crmlab.db", "Database"), "connect": ("crmlab.db", "connect"),
         "fingerprint": ("crmlab.db", "fingerprint"), "read_table": ("crmlab.db", "read_table"),
         "truth": ("crmlab.simulate", "truth"),
         "Lab": ("crmlab.teaching", "Lab"), "CRM": ("crmlab.ops", "CRM")}


def __getattr__(name: str):
    import importlib

    if name == "simulate":      # the subpackage is callable: crmlab.simulate(...) builds a database
        return importlib.import_module("crmlab.simulate")
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'crmlab' has no attribute {name!r}")


__all__ = [
    "Database", "connect", "fingerprint", "read_table", "simulate", "truth", "Lab", "CRM",
    "CrmlabError", "ConfigError", "DatabaseNotEmpty", "DataError", "ValidationError",
    "PermissionDenied", "NotFound", "Conflict",
]
