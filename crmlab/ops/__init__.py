"""CRM operations (course module M6): the Python API behind the CRM console.

>>> import crmlab
>>> db = crmlab.simulate(n_customers=200, seed=1, url="sqlite://")   # doctest: +SKIP
>>> crm = crmlab.CRM(db, user="alice")                                 # doctest: +SKIP
>>> crm.customers.search(name="王").head()                             # doctest: +SKIP

``crmlab.ops.permissions`` (the default permission matrix) is plain data and imports nothing else,
so the simulator can use it without loading the rest of this package.
"""
from __future__ import annotations

_LAZY = {
    "CRM": ("crmlab.ops.crm", "CRM"),
    "install_guards": ("crmlab.ops.audit", "install_guards"),
    "working_copy": ("crmlab.ops.sandbox", "working_copy"),
    "Console": ("crmlab.ops.widgets", "Console"),
    "console": ("crmlab.ops.widgets", "console"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'crmlab.ops' has no attribute {name!r}")


__all__ = ["CRM", "install_guards", "working_copy", "Console", "console"]
