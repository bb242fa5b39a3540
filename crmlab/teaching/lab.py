"""``crmlab.Lab``: one student's lab (own data, instant feedback, progress, quizzes)."""
from __future__ import annotations

import os
import sys

import pandas as pd

from crmlab.errors import ConfigError
from crmlab.i18n import LANGUAGES, t
from crmlab.labs import lab_id, load
from crmlab.teaching import answers as _answers
from crmlab.teaching.checks import _is_unanswered
from crmlab.teaching.exercises import Feedback, LabData, evaluate
from crmlab.teaching.seed import derive_seed, safe_name


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"
    except Exception:  # noqa: BLE001
        return False


def _show(obj) -> None:
    if _in_notebook():
        from IPython.display import display

        display(obj)
    else:
        print(obj if isinstance(obj, str) else str(obj))


class _Shown(Feedback):
    """A Feedback already shown by ``lab.check``: displaying it again shows nothing."""

    def _ipython_display_(self):
        return None


def default_db_url(student_id, seed: int, n_customers: int) -> str:
    from crmlab.db import home

    folder = home() / "students"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / f'{safe_name(student_id)}-s{seed}-n{n_customers}.db'}"


class Lab:
    """A lab for one student: their own database, the lab's exercises, instant feedback.

    Parameters
    ----------
    lab : str
        Lab id, ``"01"``..``"06"`` (or a module path holding ``EXERCISES``).
    student_id : str
        The student's id (as on the roster). The seed derives from it.
    seed : int, optional
        ``None`` (the default) derives it: ``derive_seed(student_id, salt)``.
    n_customers : int, optional
        Dataset size; default the lab's own (``EXERCISES.n_customers``).
    db_url : str, optional
        Where the student's database lives; default a per-student SQLite file in the crmlab home.
    lang : "en" | "zh"
        Language of feedback and quizzes.
    salt : str, optional
        Course salt (default ``$CRMLAB_COURSE_SALT``).

    Examples
    --------
    >>> lab = crmlab.Lab("02", student_id="2024001")        # doctest: +SKIP
    >>> lab.check("q1", 1234.5)                              # doctest: +SKIP
    ✘ q1: not yet right.
    """

    def __init__(self, lab, student_id="demo", seed=None, n_customers=None, db_url=None,
                 lang="en", salt=None):
        if lang not in LANGUAGES:
            raise ConfigError("lang", f"must be one of {list(LANGUAGES)}, got {lang!r}")
        self.lab = lab_id(lab)
        self.exercises = load(self.lab)
        self.student_id = str(student_id).strip()
        self.seed = derive_seed(self.student_id, salt) if seed is None else int(seed)
        self.n_customers = int(n_customers or self.exercises.n_customers)
        self.lang = lang
        self.grading = os.environ.get(_answers.GRADING_ENV) == "1"
        self.db_url = db_url or default_db_url(self.student_id, self.seed, self.n_customers)
        self.answers_path = _answers.answers_path(self.lab, safe_name(self.student_id))
        self._status: dict[str, Feedback] = {}
        self._fingerprint = None
        self._quiz_handles: dict = {}
        import crmlab

        self.db = crmlab.simulate(self.n_customers, seed=self.seed, url=self.db_url, **self.exercises.sim)
        self.data = LabData(self.db, seed=self.seed, student_id=self.student_id, n_customers=self.n_customers)
        self._record_meta()
        if not self.grading:
            print(t("lab.seeded", lang, lab=self.lab, student_id=self.student_id, n=self.n_customers, seed=self.seed))

    # -- data ---------------------------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        """Table ``name`` of the student's database as a DataFrame (cached; a fresh copy each call)."""
        return self.data.table(name)

    @property
    def truth(self):
        """The planted truths of the student's database (``crmlab.truth(lab.db)``)."""
        return self.data.truth

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            import crmlab

            tables = _answers.GRADING_TABLES if self.grading else None
            self._fingerprint = crmlab.fingerprint(self.db, tables=tables)
        return self._fingerprint

    # -- answers ------------------------------------------------------------------------------
    def _record_meta(self) -> None:
        data = _answers.read(self.answers_path)
        same = (data.get("lab") == self.lab and data.get("student_id") == self.student_id
                and data.get("seed") == self.seed and data.get("n_customers") == self.n_customers)
        if not same:
            data = {"answers": {}}
        data.update(lab=self.lab, student_id=self.student_id, seed=self.seed,
                    n_customers=self.n_customers, fingerprint=None)
        _answers.write(self.answers_path, data)

    def _record(self, name: str, value, source: str = "code") -> None:
        ex = self.exercises[name]
        data = _answers.read(self.answers_path)
        data.update(lab=self.lab, student_id=self.student_id, seed=self.seed,
                    n_customers=self.n_customers, fingerprint=self.fingerprint)
        data["answers"][name] = {"value": ex.check.to_json(value), "kind": ex.check.kind,
                                 "source": source, "at": _answers.now()}
        _answers.write(self.answers_path, data)

    def answer(self, name: str, value, *, source: str = "code") -> None:
        """Record an answer without feedback (it is graded like ``lab.check``)."""
        if _is_unanswered(value):
            return
        self._record(name, value, source)

    def check(self, name: str, answer, *, quiet: bool = False) -> Feedback:
        """Check ``answer`` to exercise ``name`` now and record it for grading.

        Shows the verdict and hints (never the expected value) and returns the ``Feedback``.
        ``None`` (or ``...``) means not answered yet.
        """
        self.exercises[name]  # unknown name: NotFound listing the lab's exercises
        if _is_unanswered(answer):
            fb = evaluate(self.exercises, name, None, self.data, self.lang)
        else:
            self._record(name, answer)
            if self.grading:
                # Grading run: expected values are computed by the grader, not in this kernel.
                fb = Feedback(name=name, status="recorded", lang=self.lang,
                              max_points=self.exercises[name].points,
                              message=t("fb.recorded", self.lang, name=name))
            else:
                fb = evaluate(self.exercises, name, answer, self.data, self.lang)
        self._status[name] = fb
        if quiet:
            return fb
        _show(fb)
        return _Shown(**{k: getattr(fb, k) for k in fb.__dataclass_fields__})

    # -- overview -----------------------------------------------------------------------------
    def progress(self) -> pd.DataFrame:
        """Which exercises are answered and correct (a DataFrame; a summary line is printed)."""
        lang = self.lang
        recorded = _answers.read(self.answers_path).get("answers", {})
        rows = []
        for ex in self.exercises:
            fb = self._status.get(ex.name)
            answered = ex.name in recorded
            if answered and (fb is None or fb.status in ("unanswered",)) and not self.grading:
                value = ex.check.from_json(recorded[ex.name]["value"])
                fb = evaluate(self.exercises, ex.name, value, self.data, lang)
                self._status[ex.name] = fb
            correct = None if self.grading else bool(fb is not None and fb.correct)
            rows.append({t("progress.exercise", lang): ex.name, t("progress.points", lang): ex.points,
                         t("progress.answered", lang): t("progress.yes" if answered else "progress.no", lang),
                         t("progress.correct", lang): (t("progress.grading", lang) if correct is None
                                                       else t("progress.yes" if correct else "progress.no", lang))})
        df = pd.DataFrame(rows)
        right = [n for n, fb in self._status.items() if fb.correct]
        pts = sum(self.exercises[n].points for n in right)
        title = self.exercises.title_zh if lang == "zh" else self.exercises.title
        print(t("progress.title", lang, lab=self.lab, title=title, done=len(recorded), total=len(self.exercises),
                right=len(right), points=f"{pts:g}", max_points=f"{self.exercises.max_points:g}"))
        return df

    def quiz(self, module: str | None = None, answers: dict | None = None):
        """Show the concept quiz of ``module`` (default: this lab's) with instant feedback.

        ``answers={"m2.q01": "B", ...}`` records answers from code (headless-friendly).
        """
        from crmlab.teaching.widgets import show_quiz

        module = module or self.exercises.quiz_module or "m1"
        for qid, value in (answers or {}).items():
            self.answer(qid, value)
        show_quiz(self, module)

    def __repr__(self):
        return (f"Lab({self.lab!r}, student_id={self.student_id!r}, seed={self.seed}, "
                f"n_customers={self.n_customers}, exercises={self.exercises.names()})")


__all__ = ["Lab", "default_db_url"]
