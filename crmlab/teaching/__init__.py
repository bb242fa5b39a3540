"""Teaching machinery: personalised labs, instant feedback, concept quizzes, release and grading.

See ``crmlab/teaching/README.md`` for the full API (students, lab authors, instructors).

>>> from crmlab.teaching import derive_seed, Number
>>> derive_seed("2024001") == derive_seed("2024001")
True
"""
from __future__ import annotations

from crmlab.teaching import messages as _messages  # noqa: F401  (registers the catalogue)

# Names load on first use: the command line imports crmlab.teaching.cli through this package, and
# its --help must not wait for numpy and pandas.
_LAZY = {"Lab": "crmlab.teaching.lab", "release": "crmlab.teaching.releasing",
         "grade": "crmlab.teaching.grading", "QUESTIONS": "crmlab.teaching.quizbank",
         "derive_seed": "crmlab.teaching.seed",
         **{name: "crmlab.teaching.checks" for name in ("Bool", "Check", "Choice", "Number", "Outcome",
                                                          "Table", "Text")},
         **{name: "crmlab.teaching.exercises" for name in ("Exercise", "ExerciseSet", "Feedback",
                                                             "LabData", "evaluate")}}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'crmlab.teaching' has no attribute {name!r}")


__all__ = ["Lab", "ExerciseSet", "Exercise", "Feedback", "LabData", "evaluate", "Check", "Outcome",
           "Number", "Table", "Choice", "Text", "Bool", "derive_seed", "release", "grade", "QUESTIONS"]
