"""Exercise sets: named exercises, their checks, known mistakes and concept terms.

>>> from crmlab.teaching import ExerciseSet, Number
>>> ex = ExerciseSet("99", title="Demo", quiz=None)
>>> ex.concepts({"aov": ("average order value", "客单价")})
>>> @ex.exercise("q1", check=Number(rtol=0.01), concept="aov")
... def q1(data):
...     return 250.0
>>> @q1.mistake("per_item", en="You divided by items, not orders.", zh="你除以了件数而不是订单数。")
... def _(data):
...     return 125.0
>>> fb = evaluate(ex, "q1", 125.0, data=None)
>>> fb.status, fb.hints[0]
('wrong', 'You divided by items, not orders.')
>>> evaluate(ex, "q1", 251.0, data=None).correct
True
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

from crmlab.errors import ConfigError, NotFound
from crmlab.i18n import t
from crmlab.teaching import messages as _messages  # noqa: F401  (registers the catalogue)
from crmlab.teaching.checks import Check, Outcome, _is_unanswered


@dataclass
class Mistake:
    key: str
    en: str
    zh: str
    func: Callable


class Exercise:
    """One named exercise: ``func(data)`` computes the expected value from the student's data."""

    def __init__(self, name, func, check: Check, concept: str | None, points: float,
                 prompt: str = "", prompt_zh: str = "", expected: Any = None):
        self.name = name
        self.func = func
        self.check = check
        self.concept = concept
        self.points = float(points)
        self.prompt = prompt
        self.prompt_zh = prompt_zh
        self.mistakes: list[Mistake] = []
        self._fixed = expected           # quiz questions: the key does not depend on data
        self.__doc__ = getattr(func, "__doc__", None)

    def __call__(self, data):
        return self.expected(data)

    def expected(self, data):
        return self._fixed if self.func is None else self.func(data)

    def mistake(self, key: str, en: str, zh: str):
        """Decorator: ``func(data)`` returns the value a student gets with this mistake."""
        if not en or not zh:
            raise ConfigError(f"{self.name}.mistake({key})", "needs both an English (en) and a Chinese (zh) hint")

        def deco(func):
            self.mistakes.append(Mistake(key, en, zh, func))
            return func

        return deco

    def __repr__(self):
        return f"Exercise({self.name!r}, {type(self.check).__name__}, points={self.points:g})"


class ExerciseSet:
    """The exercises of one lab (see ``crmlab/teaching/README.md``)."""

    def __init__(self, lab: str, title: str = "", title_zh: str = "", n_customers: int = 2000,
                 quiz: str | None | object = ..., sim: dict | None = None):
        self.lab = str(lab)
        self.title = title
        self.title_zh = title_zh or title
        self.n_customers = int(n_customers)
        self.sim = dict(sim or {})
        if quiz is ...:
            quiz = f"m{int(self.lab)}" if self.lab.isdigit() and 1 <= int(self.lab) <= 6 else None
        self.quiz_module = quiz
        self._exercises: dict[str, Exercise] = {}
        self._concepts: dict[str, tuple[str, str]] = {}

    # -- building -------------------------------------------------------------------------------
    def concepts(self, mapping: dict[str, tuple[str, str]]) -> None:
        """Register concept keys: ``{"clv": ("customer lifetime value", "客户终身价值")}``."""
        for k, v in mapping.items():
            if not (isinstance(v, (tuple, list)) and len(v) == 2 and all(v)):
                raise ConfigError(f"concepts[{k!r}]", "must be a pair (English term, Chinese term)")
            self._concepts[k] = (v[0], v[1])

    def exercise(self, name: str, check: Check, concept: str | None = None, points: float = 1,
                 prompt: str = "", prompt_zh: str = ""):
        """Decorator registering ``func(data) -> expected value`` as exercise ``name``."""
        if not isinstance(check, Check):
            raise ConfigError(f"{name}.check", "must be a check such as Number(), Table(), Choice(...)")
        if name in self._exercises:
            raise ConfigError(name, f"lab {self.lab} already has an exercise with this name")

        def deco(func):
            ex = Exercise(name, func, check, concept, points, prompt, prompt_zh)
            self._exercises[name] = ex
            return ex

        return deco

    def add(self, exercise: Exercise) -> Exercise:
        self._exercises[exercise.name] = exercise
        return exercise

    # -- reading --------------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Exercise:
        try:
            return self.all()[name]
        except KeyError:
            from crmlab.teaching.quizbank import _BY_ID, quiz_exercises

            if name in _BY_ID:  # any module's quiz question can be answered in any lab
                return {e.name: e for e in quiz_exercises(_BY_ID[name].module)}[name]
            raise NotFound(name, t("lab.unknown_exercise", lab=self.lab, name=name,
                                   known=", ".join(self.all()))) from None

    def __contains__(self, name):
        return name in self.all()

    def __iter__(self):
        return iter(self.all().values())

    def __len__(self):
        return len(self.all())

    def names(self) -> list[str]:
        return list(self.all())

    def all(self) -> dict[str, Exercise]:
        """Code exercises first, then the quiz questions graded with this lab."""
        out = dict(self._exercises)
        if self.quiz_module:
            from crmlab.teaching.quizbank import quiz_exercises

            for ex in quiz_exercises(self.quiz_module):
                out.setdefault(ex.name, ex)
        return out

    def concept(self, key: str | None) -> tuple[str, str] | None:
        if key is None:
            return None
        if key in self._concepts:
            return self._concepts[key]
        from crmlab.teaching.quizbank import CONCEPTS

        return CONCEPTS.get(key)

    def validate(self) -> list[str]:
        """Problems in the definition (unregistered concepts, missing prompts): should be empty."""
        problems = []
        for ex in self._exercises.values():
            if ex.concept and self.concept(ex.concept) is None:
                problems.append(f"{ex.name}: concept {ex.concept!r} is not registered with .concepts()")
            if not ex.prompt:
                problems.append(f"{ex.name}: no prompt")
        return problems

    @property
    def max_points(self) -> float:
        return sum(ex.points for ex in self.all().values())

    def __repr__(self):
        return f"ExerciseSet({self.lab!r}, {len(self)} exercises)"


class LabData:
    """What an exercise function sees: the student's database and cached tables."""

    def __init__(self, db, seed=None, student_id=None, n_customers=None):
        self.db = db
        self.seed = seed
        self.student_id = student_id
        self.n_customers = n_customers
        self._tables: dict[str, Any] = {}

    def table(self, name: str):
        """A cached DataFrame of table ``name`` (a copy, so callers may change it)."""
        if name not in self._tables:
            from crmlab import read_table

            self._tables[name] = read_table(self.db, name)
        return self._tables[name].copy()

    @cached_property
    def truth(self):
        from crmlab import truth

        return truth(self.db)


@dataclass
class Feedback:
    """The verdict on one answer. ``str(fb)`` is the message; in a notebook it shows as HTML."""

    name: str
    status: str                      # correct | wrong | invalid | unanswered | recorded | error
    points: float = 0.0
    max_points: float = 1.0
    message: str = ""
    hints: list[str] = field(default_factory=list)
    mistake: str | None = None
    lang: str = "en"

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __str__(self):
        return "\n".join([self.message, *self.hints])

    def _repr_html_(self):
        colour = {"correct": "#1a7f37", "wrong": "#b3261e", "invalid": "#b3261e"}.get(self.status, "#555")
        hints = "".join(f"<div style='margin-left:1.2em'>{html.escape(h)}</div>" for h in self.hints)
        return (f"<div class='crmlab-feedback crmlab-{self.status}' style='color:{colour}'>"
                f"<b>{html.escape(self.message)}</b>{hints}</div>")

    def to_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "points": self.points,
                "max_points": self.max_points, "message": self.message, "hints": list(self.hints),
                "mistake": self.mistake}


def evaluate(exset: ExerciseSet, name: str, answer, data, lang: str = "en", *, expected=...,
             mistakes=None) -> Feedback:
    """Check ``answer`` to exercise ``name`` against the value computed from ``data``.

    Used for instant feedback in the student's kernel and by the grader in its own process.
    """
    ex = exset[name]
    base = dict(name=name, max_points=ex.points, lang=lang)
    if _is_unanswered(answer):
        return Feedback(status="unanswered", message=t("fb.unanswered", lang, name=name), **base)
    try:
        want = ex.expected(data) if expected is ... else expected
    except Exception as exc:  # noqa: BLE001 - an exercise bug must not crash the student's lab
        reason = f"{type(exc).__name__}: {exc}"[:200]
        return Feedback(status="error", message=t("fb.error", lang, name=name, reason=reason), **base)
    outcome: Outcome = ex.check.compare(answer, want)
    if outcome.correct:
        return Feedback(status="correct", points=ex.points, message=t("fb.correct", lang, name=name), **base)
    detail = _detail(outcome, lang)
    if outcome.status == "invalid":
        return Feedback(status="invalid", message=t("fb.invalid", lang, name=name, reason=detail), **base)
    hints, mistake = [], None
    for m, value in (mistakes if mistakes is not None else mistake_values(ex, data)):
        try:
            if value is not _FAILED and ex.check.compare(answer, value).correct:
                hints.append(m.zh if lang == "zh" else m.en)
                mistake = m.key
                break
        except Exception:  # noqa: BLE001 - a broken mistake function only loses its hint
            continue
    if detail and not mistake:
        hints.append(detail)
    concept = exset.concept(ex.concept)
    if concept and not mistake:
        hints.append(t("fb.concept", lang, concept=concept[0], concept_zh=concept[1]))
    tol = ex.check.describe()
    if tol and type(ex.check).__name__ == "Number":
        hints.append(t("fb.tolerance", lang, **tol))
    return Feedback(status="wrong", message=t("fb.wrong", lang, name=name), hints=hints,
                    mistake=mistake, **base)


_FAILED = object()


def mistake_values(ex: Exercise, data) -> list:
    """``[(Mistake, value)]`` for every known mistake of ``ex`` (a failing one gets a marker)."""
    out = []
    for m in ex.mistakes:
        try:
            out.append((m, m.func(data)))
        except Exception:  # noqa: BLE001 - a broken mistake function only loses its hint
            out.append((m, _FAILED))
    return out


def _detail(outcome: Outcome, lang: str) -> str:
    if not outcome.key:
        return ""
    fmt = dict(outcome.fmt)
    if "want" in fmt and isinstance(fmt["want"], str) and fmt["want"].startswith("type."):
        fmt["want"] = t(fmt["want"], lang)
    return t(outcome.key, lang, **fmt)


__all__ = ["Exercise", "ExerciseSet", "Mistake", "LabData", "Feedback", "evaluate"]
