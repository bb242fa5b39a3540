"""Quiz widgets: radio buttons, multi-select and text boxes with instant feedback.

A click records the answer three ways so that headless grading sees it: in the lab's answers
file, in an output of the notebook (mime type ``application/vnd.crmlab.answers+json``, updated
in place), and in the widget's saved state (widgets carry the class ``crmlab-q-<id>``).
Without a notebook front end the questions are printed and nothing fails.
"""
from __future__ import annotations

import html
import json

from crmlab.i18n import t
from crmlab.teaching.answers import MIME
from crmlab.teaching.exercises import evaluate
from crmlab.teaching.quizbank import questions


def _parse_number(text: str):
    try:
        return float(str(text).strip().replace(",", "").replace("，", "").rstrip("%"))
    except ValueError:
        return str(text)


def _bundle(lab, module, given: dict) -> dict:
    payload = {"lab": lab.lab, "student_id": lab.student_id, "module": module, "answers": given}
    return {MIME: payload, "text/plain": f"crmlab quiz {module}: {len(given)} answer(s) saved"}


def show_quiz(lab, module: str):
    """Display the quiz of ``module`` for ``lab``; returns the widget box (or None headless)."""
    lang = lab.lang
    qs = questions(module)
    try:
        import ipywidgets as w
        from IPython.display import display
    except ImportError:  # pragma: no cover - ipywidgets is a dependency
        w = None
    from crmlab.teaching.lab import _in_notebook

    if w is None or not _in_notebook():
        print(t("quiz.title", lang, module=module))
        for q in qs:
            print(f"[{q.id}] {q.prompt(lang)}")
            for label, _key in q.option_labels(lang):
                print(f"    {label}")
        print(t("quiz.headless", lang))
        return None

    given: dict = {}
    handle_id = f"crmlab-quiz-{lab.lab}-{module}"
    rows = [w.HTML(f"<h3>{html.escape(t('quiz.title', lang, module=module))}</h3>")]
    for q in qs:
        cls = [f"crmlab-q-{q.id}", "crmlab-quiz-input"]
        if q.kind == "choice":
            inp = w.RadioButtons(options=q.option_labels(lang), value=None, layout=w.Layout(width="auto"))
        elif q.kind == "multi":
            inp = w.SelectMultiple(options=q.option_labels(lang), value=(), rows=len(q.options),
                                   layout=w.Layout(width="auto"))
        else:
            inp = w.Text(value="", placeholder="…", layout=w.Layout(width="20em"))
        for c in cls:
            inp.add_class(c)
        button = w.Button(description=t("quiz.check", lang), button_style="primary")
        button.add_class(f"crmlab-check-{q.id}")
        out = w.HTML("")
        out.add_class(f"crmlab-fb-{q.id}")

        def on_click(_b, q=q, inp=inp, out=out):
            value = inp.value
            if q.kind == "multi":
                value = list(value)
            elif q.kind == "number":
                value = _parse_number(value)
            elif q.kind == "text":
                value = str(value)
            if value in (None, "", []):
                return
            fb = evaluate(lab.exercises, q.id, value, None, lang, expected=q.answer)
            lab.answer(q.id, value, source="widget")
            given[q.id] = value
            display(_bundle(lab, module, given), raw=True, display_id=handle_id, update=True)
            colour = "#1a7f37" if fb.correct else "#b3261e"
            hints = "".join(f"<div>{html.escape(h)}</div>" for h in fb.hints)
            out.value = (f"<div class='crmlab-feedback crmlab-{fb.status}' style='color:{colour}'>"
                         f"<b>{html.escape(fb.message)}</b>{hints}"
                         f"<div style='color:#555'>{html.escape(t('quiz.saved', lang))}</div></div>")

        button.on_click(on_click)
        rows.append(w.VBox([w.HTML(f"<b>{q.id}</b> {html.escape(q.prompt(lang))}"), inp, button, out]))
    box = w.VBox(rows)
    box.add_class("crmlab-quiz")
    display(box)
    display(_bundle(lab, module, given), raw=True, display_id=handle_id)
    return box


__all__ = ["show_quiz"]
