"""``crmlab release`` and ``crmlab grade``: each command is a ``register(subparsers)`` function."""
from __future__ import annotations

import argparse
import sys

RELEASE_HELP = """Write student versions of source lab notebooks.

Every line between '### BEGIN SOLUTION' and '### END SOLUTION' is replaced by a placeholder
('# YOUR CODE HERE' and 'name = None' for each name the solution assigned, so the student
version still runs and reports its exercises as unanswered). Outputs, execution counts and saved
widget state are cleared; the 'parameters' cell is kept. Cells tagged 'solution-only' are dropped.
"""

GRADE_HELP = """Grade every submission of one lab.

Each notebook runs headless with papermill in its own temporary folder, in a separate process,
with a wall-clock limit (--timeout), a per-cell limit (--cell-timeout) and a memory limit
(--memory). The grader injects student_id (from the file name or the roster), the seed (derived
by the grader from the id and --salt, never read from the notebook), n_customers and db_url. It
computes every expected value itself, before and outside the student's code, then compares the
answers the lab recorded (and quiz answers saved by widgets in the file).

Submissions are found as SUBMISSIONS/<student_id>.ipynb, SUBMISSIONS/<student_id>/<any>.ipynb,
or (with --roster) any file name containing a roster id as a separate token.

Writes into OUT: gradebook.csv (one row a student, one column an exercise, total, max_points,
late, status, notes), feedback/<student_id>.md, canvas.csv and moodle.csv (LMS grade import),
executed/<student_id>.ipynb, and warnings.txt when some files could not be matched.
"""


def _release(args) -> int:
    from crmlab.teaching.releasing import release

    written = release(args.source, args.out)
    for p in written:
        print(p)
    return 0


def register_release(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("release", help="write student versions of lab notebooks (solutions removed)",
                              description=RELEASE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", help="a source notebook or a folder of them (e.g. labs/)")
    p.add_argument("--out", required=True, metavar="FOLDER", help="folder for the student versions (created if missing)")
    p.set_defaults(func=_release)
    return p


def _grade(args) -> int:
    from crmlab.teaching.grading import grade

    book = grade(args.submissions, args.lab, args.out, roster=args.roster, jobs=args.jobs,
                 timeout=args.timeout, cell_timeout=args.cell_timeout, memory_mb=args.memory,
                 deadline=args.deadline, salt=args.salt, lang=args.lang, n_customers=args.n_customers,
                 kernel=args.kernel, progress=not args.quiet)
    graded = int((book["status"] != "no submission").sum())
    print(f"graded {graded} submission(s), {len(book) - graded} missing; mean total "
          f"{book['total'].mean():.2f} / {book['max_points'].max() if len(book) else 0:g}; results in {args.out}")
    return 0


def register_grade(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("grade", help="grade submitted notebooks of one lab (papermill, sandboxed)",
                              description=GRADE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("submissions", help="folder holding the submitted .ipynb files")
    p.add_argument("--lab", required=True, help="lab id, e.g. 02 (or a module path holding EXERCISES)")
    p.add_argument("--out", required=True, metavar="FOLDER", help="folder for gradebook.csv, feedback/, LMS files")
    p.add_argument("--roster", metavar="CSV", help="roster CSV with columns student_id,name "
                   "(optional: email, canvas_id, sis_login_id, section); missing submissions get 0")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="submissions graded in parallel (default 1)")
    p.add_argument("--timeout", type=float, default=600, metavar="SECONDS",
                   help="wall-clock limit per notebook (default 600)")
    p.add_argument("--cell-timeout", type=float, default=None, metavar="SECONDS",
                   help="limit per cell (default: the --timeout value)")
    p.add_argument("--memory", type=int, default=3000, metavar="MB",
                   help="address-space limit of the notebook's kernel in MB (default 3000; 0 = none)")
    p.add_argument("--deadline", metavar="ISO", help="deadline, e.g. 2026-12-01T23:59 (local time unless an "
                   "offset is given); later files (by modification time) are flagged late")
    p.add_argument("--salt", default=None, help="course salt used when the labs were handed out "
                   "(default $CRMLAB_COURSE_SALT, else none)")
    p.add_argument("--lang", choices=["en", "zh"], default="en", help="language of the feedback files")
    p.add_argument("--n-customers", type=int, default=None, metavar="N",
                   help="dataset size (default: the lab's own)")
    p.add_argument("--kernel", default="python3", help="Jupyter kernel name (default python3)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_grade)
    return p


def register(subparsers) -> None:
    """Add the teaching commands (release, grade) to the ``crmlab`` command line."""
    register_release(subparsers)
    register_grade(subparsers)


__all__ = ["register", "register_release", "register_grade"]
