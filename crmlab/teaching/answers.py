"""The answers file: every answer a lab records, for instant progress and for the grader.

It holds answers only (never expected values, never a verdict the grader trusts): the grader
reads the values back and recomputes correctness itself. Writes are atomic (temp file + rename).
"""
from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ANSWERS_ENV = "CRMLAB_ANSWERS"
GRADING_ENV = "CRMLAB_GRADING"
MIME = "application/vnd.crmlab.answers+json"
# Tables hashed for the fingerprint while grading: enough to tell one student's data from another's
# (seed, configuration and every customer), cheap enough not to slow grading down.
GRADING_TABLES = ("crmlab_meta", "customers")


def default_path(lab: str, safe_id: str) -> Path:
    from crmlab.db import home

    return home() / "answers" / f"lab{lab}-{safe_id}.json"


def answers_path(lab: str, safe_id: str) -> Path:
    """``$CRMLAB_ANSWERS`` (set by the grader) or the per-student file in the crmlab home."""
    env = os.environ.get(ANSWERS_ENV)
    return Path(env) if env else default_path(lab, safe_id)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def read(path) -> dict:
    """The answers file as a dict (empty structure when missing or unreadable)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("answers", {}), dict):
            data.setdefault("answers", {})
            return data
    except (OSError, ValueError):
        pass
    return {"answers": {}}


def write(path, data: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".answers-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
    os.replace(tmp, path)


def from_notebook(nb) -> dict:
    """Quiz answers a student gave through widgets, as saved in the notebook file.

    Two places are read: outputs of mime type ``application/vnd.crmlab.answers+json`` (updated on
    every click) and saved widget state (widgets carry the class ``crmlab-q-<id>``).
    Returns ``{question_id: value}``.
    """
    found: dict = {}
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            data = (out.get("data") or {}).get(MIME)
            if isinstance(data, str):
                try:
                    data = json.loads(data)
                except ValueError:
                    data = None
            if isinstance(data, dict):
                for k, v in (data.get("answers") or {}).items():
                    found[str(k)] = v
    state = (((nb.get("metadata") or {}).get("widgets") or {})
             .get("application/vnd.jupyter.widget-state+json") or {}).get("state") or {}
    for model in state.values():
        st = (model or {}).get("state") or {}
        for cls in st.get("_dom_classes") or []:
            if isinstance(cls, str) and cls.startswith("crmlab-q-"):
                qid = cls[len("crmlab-q-"):]
                val = _widget_value(qid, st)
                if val not in (None, "", []) and qid not in found:
                    found[qid] = val
    return found


def _widget_value(qid: str, st: dict):
    # Selection widgets sync the index of the chosen option(s), text boxes their value.
    from crmlab.teaching.quizbank import question

    try:
        q = question(qid)
    except Exception:  # noqa: BLE001 - an unknown id in saved state is ignored
        return None
    if q.options:
        keys = list(q.options)
        idx = st.get("index")
        if q.multi:
            return [keys[i] for i in (idx or []) if isinstance(i, int) and 0 <= i < len(keys)] or None
        return keys[idx] if isinstance(idx, int) and 0 <= idx < len(keys) else None
    val = st.get("value")
    return val.strip() if isinstance(val, str) and val.strip() else None


__all__ = ["ANSWERS_ENV", "GRADING_ENV", "MIME", "answers_path", "read", "write", "from_notebook"]
