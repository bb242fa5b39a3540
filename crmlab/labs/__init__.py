"""The lab registry: ``load("02")`` returns the ``EXERCISES`` of ``crmlab/labs/lab02.py``.

A lab id is a two-digit string (``"01"``..``"06"``; ``2`` and ``"2"`` also work) or, for an
instructor's own lab, a dotted module path holding an ``EXERCISES`` object
(``load("mycourse.lab_extra")``).
"""
from __future__ import annotations

import importlib

from crmlab.errors import ConfigError, NotFound


def module_name(lab) -> str:
    """The module that holds lab ``lab``'s exercises."""
    text = str(lab).strip()
    if "." in text:
        return text
    if text.isdigit():
        return f"crmlab.labs.lab{int(text):02d}"
    raise ConfigError("lab", f"must be a lab number such as '02' or a module path, got {lab!r}")


def lab_id(lab) -> str:
    """The canonical id: ``2`` → ``"02"``; module paths stay as they are."""
    text = str(lab).strip()
    return f"{int(text):02d}" if text.isdigit() else text


def load(lab):
    """The lab's ``ExerciseSet``."""
    name = module_name(lab)
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            raise NotFound("lab", f"no lab {lab!r} (module {name} does not exist)") from None
        raise
    exercises = getattr(module, "EXERCISES", None)
    if exercises is None:
        raise ConfigError("lab", f"module {name} defines no EXERCISES")
    return exercises


def available() -> list[str]:
    """Ids of the labs shipped with crmlab."""
    import pkgutil

    import crmlab.labs as pkg

    return sorted(m.name[3:] for m in pkgutil.iter_modules(pkg.__path__)
                  if m.name.startswith("lab") and m.name[3:].isdigit())


__all__ = ["load", "available", "lab_id", "module_name"]
