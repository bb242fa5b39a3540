"""The simulator (M1): a documented generative model of an e-commerce company's customers.

``simulate`` builds a complete CRM database with planted truths (see ``README.md`` in this folder for
the model, its equations and parameters); ``truth`` reads the planted truths back.

The names load on first use, so that ``crmlab --help`` and other light commands do not pay for
numpy, scipy, pandas and SQLAlchemy. This package is itself callable: ``crmlab.simulate(...)`` is
``crmlab.simulate.build.simulate(...)``. That keeps ``crmlab.simulate(n_customers=200)`` working
whether or not a submodule such as ``crmlab.simulate.build`` was imported first (an import of a
submodule rebinds the attribute ``crmlab.simulate`` to this package).
"""
from __future__ import annotations

import importlib
import sys
import types

_LAZY = {"simulate": ("crmlab.simulate.build", "simulate"),
         "SimConfig": ("crmlab.simulate.config", "SimConfig"),
         "Truth": ("crmlab.simulate.truth", "Truth"),
         "truth": ("crmlab.simulate.truth", "truth")}


def __getattr__(name: str):
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        # importing crmlab.simulate.truth bound the submodule to the name "truth"; the function wins
        globals()[name] = value
        return value
    raise AttributeError(f"module 'crmlab.simulate' has no attribute {name!r}")


class _CallablePackage(types.ModuleType):
    def __call__(self, *args, **kwargs):
        from crmlab.simulate.build import simulate

        return simulate(*args, **kwargs)

    @property
    def __signature__(self):
        import inspect

        from crmlab.simulate.build import simulate

        return inspect.signature(simulate)


sys.modules[__name__].__class__ = _CallablePackage

__all__ = ["simulate", "truth", "SimConfig", "Truth"]
