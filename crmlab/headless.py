"""Widget output areas that also work where no browser will ever show them (grading runs).

A widget's picture and table usually go into an ``ipywidgets.Output`` area, redrawn when a slider
moves. When a notebook runs headless under papermill/nbclient (``crmlab grade``), capturing output
into an Output widget can leave the client waiting for a message it never sees, and the cell hangs
until its timeout. The grader therefore sets ``CRMLAB_HEADLESS=1`` for the kernel, and
:func:`output_area` then returns a ``DirectOutput``: an empty widget (so the widget box keeps
its shape) whose ``with`` block and ``clear_output`` do nothing, so the first view is printed into
the cell's own output, where the grader and the saved notebook keep it.

>>> import os; os.environ["CRMLAB_HEADLESS"] = "1"
>>> with output_area() as out:
...     print("straight to the cell")
straight to the cell
>>> del os.environ["CRMLAB_HEADLESS"]
"""
from __future__ import annotations

import os

#: Set (to anything but "" or "0") where notebooks run without a browser: ``crmlab grade`` does.
HEADLESS_ENV = "CRMLAB_HEADLESS"


def headless() -> bool:
    """True when widgets will never be displayed (``$CRMLAB_HEADLESS``)."""
    return os.environ.get(HEADLESS_ENV, "") not in ("", "0")


def output_area():
    """An ``ipywidgets.Output`` for a widget's view, or a ``DirectOutput`` when headless."""
    import ipywidgets as w

    if headless():
        return _direct_output_class()()
    return w.Output()


_CLASS = None


def _direct_output_class():
    """``DirectOutput``: an empty widget standing in for ``ipywidgets.Output`` (made on first use,
    so importing crmlab does not import ipywidgets)."""
    global _CLASS
    if _CLASS is None:
        import ipywidgets as w

        class DirectOutput(w.HTML):
            """Output goes to the cell itself: the ``with`` block and ``clear_output`` do nothing."""

            def clear_output(self, wait: bool = False) -> None:
                return None

            def __enter__(self):
                return self

            def __exit__(self, *exc) -> bool:
                return False

        _CLASS = DirectOutput
    return _CLASS
