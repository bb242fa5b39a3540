"""Grade submissions: run each one headless, harvest its answers, recompute every expected value.

For every student the grader (1) derives the seed from the roster id itself, (2) builds the
student's database and computes every expected value and known-mistake value *in the grader's
process, before any student code runs*, (3) executes the submission with papermill in a fresh
temporary folder, in a child process with a wall-clock limit, a per-cell limit and a memory
limit, injecting ``student_id``/``seed``/``n_customers``/``db_url``, (4) reads back the answers
the lab recorded (plus quiz answers saved by widgets in the submitted file), and (5) compares
them with its own expected values. Nothing the submission prints, redefines or writes can raise
its score. Outputs: ``gradebook.csv``, ``feedback/<id>.md``, ``canvas.csv``, ``moodle.csv``,
``executed/<id>.ipynb``.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from crmlab.errors import ConfigError
from crmlab.i18n import t
from crmlab.labs import lab_id, load
from crmlab.teaching import answers as _answers
from crmlab.teaching.quizbank import _BY_ID as QUIZ_IDS
from crmlab.teaching.exercises import Feedback, LabData, evaluate, mistake_values
from crmlab.teaching.seed import derive_seed, normalise_id, safe_name

STATUS_KEYS = {"timeout": "grade.timeout", "kernel_died": "grade.kernel_died",
               "cell_error": "grade.cell_error", "memory": "grade.memory"}

# What the grader looks for in a submission's code (reported, never trusted or needed).
SUSPICIOUS = [
    ("sus.redefines_check", re.compile(r"\b(lab|Lab)\s*\.\s*(check|answer|progress)\s*=(?!=)|setattr\(\s*(lab|Lab)\b")),
    ("sus.monkeypatch", re.compile(r"\bcrmlab(\.\w+)+\s*=(?!=)|setattr\(\s*crmlab|monkeypatch")),
    ("sus.solutions", re.compile(r"\bEXERCISES\b|\.expected\(|mistake_values|quizbank|\bQUESTIONS\b|crmlab\.labs\.load|\.func\(")),
    ("sus.files", re.compile(r"os\.remove|os\.unlink|shutil\.rmtree|\.unlink\(|os\.rmdir|rm -rf|gradebook|open\(\s*['\"]/|"
                              r"glob\.glob\(|os\.listdir\(|os\.walk\(|gettempdir|CRMLAB_ANSWERS")),
    ("sus.prints_correct", re.compile(r"print\(.*(correct|正确|✔)", re.IGNORECASE)),
    ("sus.kills", re.compile(r"os\._exit|os\.kill|sys\.exit|\bexit\(|\bquit\(|signal\.|os\.abort")),
]
_IDENTITY = re.compile(r"^\s*(student_id|seed)\s*=", re.MULTILINE)


@dataclass
class Submission:
    student_id: str
    path: Path | None
    name: str = ""
    extra: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


# -- finding submissions ---------------------------------------------------------------------

def read_roster(path) -> pd.DataFrame:
    """Roster CSV with at least ``student_id`` (and usually ``name``; optional ``email``,
    ``canvas_id``, ``sis_login_id``, ``section``)."""
    path = Path(path)
    if not path.exists():
        raise ConfigError("roster", f"{path} does not exist")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df.columns = [c.strip().lower() for c in df.columns]
    if "student_id" not in df.columns:
        raise ConfigError("roster", f"{path.name} needs a 'student_id' column; it has {list(df.columns)}")
    df["student_id"] = df["student_id"].str.strip()
    if (df["student_id"] == "").any():
        raise ConfigError("roster.student_id", f"row {int((df['student_id'] == '').idxmax()) + 2} has no student_id")
    dup = df["student_id"][df["student_id"].duplicated()]
    if len(dup):
        raise ConfigError("roster.student_id", f"{dup.iloc[0]!r} appears more than once")
    if "name" not in df.columns:
        df["name"] = ""
    return df


def find_submissions(folder, roster: pd.DataFrame | None = None) -> tuple[list[Submission], list[str]]:
    """Submissions in ``folder`` (``<id>.ipynb``, ``<id>/<any>.ipynb``, or any file name containing
    a roster id as a separate token). Returns (submissions, warnings)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError("submissions", f"{folder} is not a folder")
    files = sorted(p for p in folder.rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts and not p.name.startswith("."))
    ids = list(roster["student_id"]) if roster is not None else None
    warnings: list[str] = []
    found: dict[str, list[Path]] = {}
    for p in files:
        rel = p.relative_to(folder)
        candidates = [p.stem] + ([rel.parts[0]] if len(rel.parts) > 1 else [])
        sid = None
        if ids is None:
            sid = rel.parts[0] if len(rel.parts) > 1 else p.stem
        else:
            for c in candidates:
                if c in ids:
                    sid = c
                    break
            if sid is None:
                tokens = set(re.split(r"[^0-9A-Za-z]+", str(rel)))
                hits = [i for i in ids if i in tokens]
                if len(hits) == 1:
                    sid = hits[0]
                elif len(hits) > 1:
                    warnings.append(f"{rel}: matches several roster ids {hits}; skipped")
                    continue
        if sid is None:
            warnings.append(f"{rel}: no roster id found in the file name; skipped")
            continue
        found.setdefault(normalise_id(sid), []).append(p)
    subs = []
    for sid, paths in found.items():
        paths.sort(key=lambda q: q.stat().st_mtime)
        sub = Submission(sid, paths[-1])
        if len(paths) > 1:
            sub.notes.append(f"{len(paths)} files found; graded the newest ({paths[-1].name})")
        subs.append(sub)
    return subs, warnings


# -- grading one submission ------------------------------------------------------------------

def scan_code(nb) -> list[str]:
    """Message keys for suspicious code in the submitted notebook (reported, not scored)."""
    seen = []
    param_done = False
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        tags = (cell.get("metadata") or {}).get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            param_done = True
            continue
        for key, rx in SUSPICIOUS:
            if key not in seen and rx.search(src):
                seen.append(key)
        if param_done and "sus.identity" not in seen and _IDENTITY.search(src):
            seen.append("sus.identity")
    return seen


def _answer_repr(value, kind) -> str:
    if isinstance(value, dict) and "__table__" in value:
        try:
            split = json.loads(value["__table__"])
            return f"table {len(split.get('data', []))}×{len(split.get('columns', []))}"
        except ValueError:
            return "table"
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "…"


def _kill_tree(pid: int) -> None:
    try:
        import psutil

        parent = psutil.Process(pid)
        procs = parent.children(recursive=True) + [parent]
        for p in procs:
            try:
                p.kill()
            except psutil.Error:
                pass
    except Exception:  # noqa: BLE001 - fall back to the process group
        pass
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def _expected_values(exset, student_id, seed, n_customers, db_url):
    """Build the student's database in the grader and compute every expected / mistake value."""
    import crmlab

    db = crmlab.simulate(n_customers, seed=seed, url=db_url, **exset.sim)
    data = LabData(db, seed=seed, student_id=student_id, n_customers=n_customers)
    table = {}
    for ex in exset:
        try:
            want = ex.expected(data)
            table[ex.name] = ("ok", want, mistake_values(ex, data))
        except Exception as exc:  # noqa: BLE001 - an exercise bug is reported per exercise
            table[ex.name] = ("error", f"{type(exc).__name__}: {exc}"[:200], [])
    fp = crmlab.fingerprint(db, tables=_answers.GRADING_TABLES)
    db.close()
    return table, fp


def grade_one(sub: Submission, lab: str, *, salt=None, n_customers=None, timeout=600, cell_timeout=None,
              memory_mb=3000, lang="en", kernel="python3", deadline=None, keep_executed: Path | None = None,
              extra_pythonpath=None) -> dict:
    """Grade one submission; returns a result dict (scores, feedback, notes). Never raises for
    anything the submission does."""
    import nbformat

    exset = load(lab)
    sid = sub.student_id
    result = {"student_id": sid, "name": sub.name, "scores": {ex.name: 0.0 for ex in exset},
              "feedback": [], "notes": list(sub.notes), "status": "ok", "late": False,
              "max_points": exset.max_points, "seconds": 0.0}
    if sub.path is None:
        result["status"] = "no submission"
        result["notes"].append(t("grade.no_submission", lang))
        result["feedback"] = [Feedback(name=ex.name, status="unanswered", max_points=ex.points,
                                       message=t("fb.unanswered", lang, name=ex.name)).to_dict() | {"answer": ""}
                              for ex in exset]
        result["total"] = 0.0
        return result
    start = time.perf_counter()
    if deadline is not None:
        mtime = datetime.fromtimestamp(sub.path.stat().st_mtime, tz=timezone.utc)
        result["late"] = bool(mtime > deadline)
    seed = derive_seed(sid, salt)
    n = int(n_customers or exset.n_customers)
    work = Path(tempfile.mkdtemp(prefix="crmlab-grade-"))
    try:
        grader_dir, run_dir = work / "g", work / "run"
        grader_dir.mkdir()
        run_dir.mkdir()
        grader_db = grader_dir / "crm.db"
        expected, fingerprint = _expected_values(exset, sid, seed, n, f"sqlite:///{grader_db}")
        # The kernel gets a copy; the grader's values are already in memory, so nothing the
        # submission does to files can change them.
        shutil.copy2(grader_db, run_dir / "crm.db")
        shutil.rmtree(grader_dir, ignore_errors=True)
        try:
            submitted = nbformat.read(sub.path, as_version=4)
        except Exception as exc:  # noqa: BLE001
            submitted = None
            result["status"] = "unreadable"
            result["notes"].append(f"the file is not a readable notebook ({type(exc).__name__})")
        answers: dict = {}
        recorded_meta: dict = {}
        if submitted is not None:
            for key in scan_code(submitted):
                result["notes"].append(t("grade.suspicious", lang, what=t(key, lang)))
            nb_in = run_dir / "submission.ipynb"
            nbformat.write(submitted, nb_in)
            params = {"student_id": sid, "seed": seed, "n_customers": n,
                      "db_url": f"sqlite:///{run_dir / 'crm.db'}", "lang": lang}
            status = _run(nb_in, run_dir, params, timeout=timeout, cell_timeout=cell_timeout or timeout,
                          memory_mb=memory_mb, kernel=kernel, extra_pythonpath=extra_pythonpath)
            if status.get("status") != "ok":
                result["status"] = status["status"]
                key = STATUS_KEYS.get(status["status"], "grade.kernel_died")
                result["notes"].append(t(key, lang, seconds=timeout, mb=memory_mb, error=status.get("error", "")))
            recorded_meta = _answers.read(work / "answers" / "answers.json")
            answers = {k: v for k, v in recorded_meta.get("answers", {}).items() if isinstance(v, dict) and "value" in v}
            if keep_executed is not None and (run_dir / "executed.ipynb").exists():
                keep_executed.mkdir(parents=True, exist_ok=True)
                shutil.copy2(run_dir / "executed.ipynb", keep_executed / f"{safe_name(sid)}.ipynb")
            # Quiz answers given by clicking are saved in the submitted file, not re-clicked headless.
            for qid, value in _answers.from_notebook(submitted).items():
                if qid in QUIZ_IDS and qid in exset and qid not in answers:
                    answers[qid] = {"value": value, "source": "notebook"}
            if not answers:
                result["notes"].append(t("grade.no_answers", lang))
        for field_, want in (("student_id", sid), ("seed", seed)):
            got = recorded_meta.get(field_)
            if got is not None and got != want:
                result["notes"].append(t("grade.identity", lang, value=got))
        fp = recorded_meta.get("fingerprint")
        if fp and fp != fingerprint:
            result["notes"].append(t("grade.fingerprint", lang))
        for ex in exset:
            rec = answers.get(ex.name)
            value = None if rec is None else ex.check.from_json(rec["value"])
            if value is not None and type(ex.check).__name__ == "Number" and isinstance(value, str):
                try:
                    value = float(value.replace(",", ""))
                except ValueError:
                    pass
            state, want, mistakes = expected[ex.name]
            if state == "error":
                fb = Feedback(name=ex.name, status="error", max_points=ex.points,
                              message=t("fb.error", lang, name=ex.name, reason=want))
            else:
                fb = evaluate(exset, ex.name, value, None, lang, expected=want, mistakes=mistakes)
            result["scores"][ex.name] = fb.points
            entry = fb.to_dict()
            entry["answer"] = "" if rec is None else _answer_repr(rec["value"], ex.check.kind)
            if rec is not None and rec.get("source") == "notebook":
                entry["hints"] = entry["hints"] + [t("grade.widget_answer", lang)]
            result["feedback"].append(entry)
    except Exception as exc:  # noqa: BLE001 - a grader-side failure is reported for this student only
        result["status"] = "grader error"
        result["notes"].append(f"grader error: {type(exc).__name__}: {exc}"[:300])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["total"] = float(sum(result["scores"].values()))
    result["seconds"] = time.perf_counter() - start
    return result


def _seed_matplotlib_cache(target: Path) -> None:
    # A fresh HOME would make matplotlib rebuild its font list in every graded kernel (seconds
    # each); each kernel gets its own copy of the grader's list instead of a shared, writable one.
    target.mkdir(parents=True, exist_ok=True)
    try:
        import matplotlib

        for f in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
            shutil.copy2(f, target / f.name)
    except Exception:  # noqa: BLE001 - only a speed-up
        pass


def _die_with_parent() -> None:
    # Linux: if the grading process is killed (by a hostile notebook), the runner dies with it.
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - other systems: the wall-clock limit still applies
        pass


def _run(nb_in: Path, run_dir: Path, params: dict, *, timeout, cell_timeout, memory_mb, kernel,
         extra_pythonpath=None) -> dict:
    home = run_dir / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CRMLAB_", "JPY_", "PYTEST", "COV_"))}
    env.update(HOME=str(home), CRMLAB_HOME=str(home), CRMLAB_ANSWERS=str(run_dir.parent / "answers" / "answers.json"),
               CRMLAB_GRADING="1", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1", JUPYTER_PLATFORM_DIRS="1")
    if extra_pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([str(p) for p in extra_pythonpath] + [env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    _seed_matplotlib_cache(home / ".mpl")
    env["MPLCONFIGDIR"] = str(home / ".mpl")
    status_file = run_dir / ".status.json"
    # A fresh interpreter runs papermill: it holds nothing of the grader (no expected values), gets
    # its own session, folder, environment and memory limit, and dies if the grader is killed.
    cmd = [sys.executable, "-m", "crmlab.teaching.runner", str(nb_in), str(run_dir / "executed.ipynb"),
           json.dumps(params), str(status_file), "--cell-timeout", str(cell_timeout),
           "--memory-mb", str(memory_mb), "--kernel", kernel]
    proc = subprocess.Popen(cmd, cwd=run_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, preexec_fn=_die_with_parent)
    try:
        proc.wait(timeout=timeout + 30)
    except subprocess.TimeoutExpired:
        _kill_tree(proc.pid)
        proc.wait()
        return {"status": "timeout"}
    _kill_tree(proc.pid)  # any kernel left behind
    try:
        return json.loads(status_file.read_text())
    except (OSError, ValueError):
        return {"status": "kernel_died"}


# -- the whole class -------------------------------------------------------------------------

def _isolated(sub: Submission, lab: str, kwargs: dict) -> dict:
    """Grade one submission in its own grading process (forked from a clean server process), so a
    submission that kills its grader loses only its own result."""
    if sub.path is None:
        return grade_one(sub, lab, **kwargs)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["crmlab.teaching.grading", "pandas", "sqlalchemy", "matplotlib"])
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as ex:
            return ex.submit(grade_one, sub, lab, **kwargs).result()
    except BrokenProcessPool:
        exset = load(lab)
        lang = kwargs.get("lang", "en")
        return {"student_id": sub.student_id, "name": sub.name, "scores": {ex.name: 0.0 for ex in exset},
                "feedback": [], "status": "grader killed", "late": False, "max_points": exset.max_points,
                "total": 0.0, "seconds": 0.0,
                "notes": sub.notes + [t("grade.grader_killed", lang), t("grade.suspicious", lang, what=t("sus.kills", lang))]}


def _parse_deadline(deadline):
    if deadline is None or isinstance(deadline, datetime):
        d = deadline
    else:
        try:
            d = datetime.fromisoformat(str(deadline))
        except ValueError:
            raise ConfigError("deadline", f"must be an ISO date/time such as 2026-12-01T23:59, got {deadline!r}") from None
    if d is not None and d.tzinfo is None:
        d = d.astimezone()  # local time of the grading machine
    return d


def grade(submissions, lab, out, *, roster=None, jobs: int = 1, timeout: float = 600, cell_timeout=None,
          memory_mb: int = 3000, deadline=None, salt=None, lang: str = "en", n_customers=None,
          kernel: str = "python3", progress: bool = True, extra_pythonpath=None) -> pd.DataFrame:
    """Grade every submission in folder ``submissions`` for lab ``lab``; write results to ``out``.

    Returns the gradebook (one row a student: exercise points, total, max_points, late, status,
    notes). See the module docstring for what happens to each submission.
    """
    lab = lab_id(lab)
    exset = load(lab)
    if jobs < 1:
        raise ConfigError("jobs", "must be at least 1")
    if timeout <= 0:
        raise ConfigError("timeout", "must be positive (seconds)")
    dl = _parse_deadline(deadline)
    ros = read_roster(roster) if roster is not None else None
    subs, warnings = find_submissions(submissions, ros)
    names = dict(zip(ros["student_id"], ros["name"])) if ros is not None else {}
    have = {s.student_id for s in subs}
    for s in subs:
        s.name = names.get(s.student_id, "")
        if ros is not None and s.student_id not in names:
            s.notes.append("not on the roster")
    if ros is not None:
        subs += [Submission(sid, None, name=names[sid]) for sid in ros["student_id"] if sid not in have]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    executed = out / "executed"
    kwargs = dict(salt=salt, n_customers=n_customers, timeout=timeout, cell_timeout=cell_timeout,
                  memory_mb=memory_mb, lang=lang, kernel=kernel, deadline=dl, keep_executed=executed,
                  extra_pythonpath=extra_pythonpath)
    from tqdm.auto import tqdm

    from concurrent.futures import ThreadPoolExecutor, as_completed

    results = []
    bar = tqdm(total=len(subs), desc=f"grading lab {lab}", unit="nb", disable=not progress)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futs = [pool.submit(_isolated, s, lab, kwargs) for s in subs]
        for f in as_completed(futs):
            results.append(f.result())
            bar.update()
    bar.close()
    results.sort(key=lambda r: r["student_id"])
    book = _write_outputs(results, exset, out, ros, lang, warnings)
    return book


def _write_outputs(results, exset, out: Path, roster, lang, warnings) -> pd.DataFrame:
    cols = exset.names()
    rows = []
    for r in results:
        row = {"student_id": r["student_id"], "name": r["name"]}
        row.update({c: r["scores"].get(c, 0.0) for c in cols})
        row.update(total=r["total"], max_points=r["max_points"], late=r["late"], status=r["status"],
                   notes=" | ".join(r["notes"]))
        rows.append(row)
    book = pd.DataFrame(rows, columns=["student_id", "name", *cols, "total", "max_points", "late", "status", "notes"])
    # Written last, from the grader's own results: anything a submission wrote here is replaced.
    _atomic_csv(book, out / "gradebook.csv")
    fb_dir = out / "feedback"
    fb_dir.mkdir(exist_ok=True)
    for r in results:
        _atomic_text(fb_dir / f"{safe_name(r['student_id'])}.md", feedback_markdown(r, exset, lang))
    write_canvas(book, exset, out / "canvas.csv", roster)
    write_moodle(book, exset, out / "moodle.csv", roster)
    if warnings:
        _atomic_text(out / "warnings.txt", "\n".join(warnings) + "\n")
    return book


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _atomic_csv(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    df.to_csv(tmp, index=False, encoding="utf-8")
    os.replace(tmp, path)


def _md(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def feedback_markdown(r: dict, exset, lang: str = "en") -> str:
    """The per-student feedback file: every exercise, the answer, the verdict, the hints."""
    total = t("grade.total", lang, points=f"{r['total']:g}", max_points=f"{r['max_points']:g}")
    lines = [f"# {t('grade.feedback_title', lang, lab=exset.lab, student_id=r['student_id'])}", "",
             f"**{total}**", ""]
    if r.get("late"):
        lines += [f"*{t('grade.late', lang)}*", ""]
    lines += [f"| {t('progress.exercise', lang)} | {t('grade.your_answer', lang)} | {t('grade.result', lang)} | "
              f"{t('progress.points', lang)} | |", "|---|---|---|---|---|"]
    for e in r["feedback"]:
        status = t(f"grade.status.{e['status']}", lang) if e["status"] in (
            "correct", "wrong", "unanswered", "invalid", "error") else e["status"]
        hints = "<br>".join(_md(h) for h in e.get("hints", []))
        if e["status"] in ("invalid", "error"):
            hints = "<br>".join(filter(None, [_md(e["message"]), hints]))
        lines.append(f"| {e['name']} | {_md(e.get('answer', ''))} | {status} | {e['points']:g}/{e['max_points']:g} | {hints} |")
    if r["notes"]:
        lines += ["", f"## {t('grade.notes', lang)}", ""] + [f"- {n}" for n in r["notes"]]
    return "\n".join(lines) + "\n"


def _assignment(exset) -> str:
    return f"Lab {exset.lab} {exset.title}".strip()


def write_canvas(book: pd.DataFrame, exset, path: Path, roster=None) -> None:
    """Canvas gradebook import CSV: Student, ID, SIS User ID, SIS Login ID, Section, <assignment>,
    with a 'Points Possible' row."""
    extra = roster.set_index("student_id") if roster is not None else None
    title = _assignment(exset)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", title])
        w.writerow(["Points Possible", "", "", "", "", f"{exset.max_points:g}"])
        for _, row in book.iterrows():
            info = extra.loc[row.student_id] if extra is not None and row.student_id in extra.index else {}
            get = (lambda k: info.get(k, "") if hasattr(info, "get") else "")
            w.writerow([row["name"] or row.student_id, get("canvas_id"), row.student_id,
                        get("sis_login_id"), get("section"), f"{row.total:g}"])


def write_moodle(book: pd.DataFrame, exset, path: Path, roster=None) -> None:
    """Moodle grade import CSV: ID number, Full name, Email address, <assignment>, Feedback
    (map 'ID number' to the user field and the two columns to the grade item when importing)."""
    extra = roster.set_index("student_id") if roster is not None else None
    title = _assignment(exset)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ID number", "Full name", "Email address", title, f"{title} feedback"])
        for _, row in book.iterrows():
            info = extra.loc[row.student_id] if extra is not None and row.student_id in extra.index else {}
            email = info.get("email", "") if hasattr(info, "get") else ""
            w.writerow([row.student_id, row["name"], email, f"{row.total:g}", row.notes])


__all__ = ["grade", "grade_one", "find_submissions", "read_roster", "scan_code", "feedback_markdown",
           "write_canvas", "write_moodle", "Submission"]
