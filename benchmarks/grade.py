"""Grading speed: ``crmlab grade`` against bare papermill on the same notebooks, in the same run.

Grades N copies of a lab (a quarter of them hostile: an infinite loop, a kernel that kills
itself, a memory hog, one that deletes files) sequentially and with ``--jobs 2``, and executes the
same notebooks with bare papermill (no limits, no expected values, no harvest). Prints wall time,
time per notebook and the ratio grade / papermill (target: ≤ 1.2).

    python benchmarks/grade.py                     # 20 copies of lab 01
    python benchmarks/grade.py --lab 02 --copies 8 --cell-timeout 60
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]

HOSTILE = {
    "loop": "while True:\n    pass",
    "exit": "import os\nos._exit(1)",
    "memory": "hog = bytearray(64 * 1024 ** 3)",
    "delete": "import glob, os\nfor f in glob.glob('*'):\n    os.path.isfile(f) and os.remove(f)",
}


def make_submissions(lab: str, copies: int, folder: Path) -> list[tuple[str, Path]]:
    source = sorted((ROOT / "labs").glob(f"{lab}-*.ipynb"))
    if not source:
        sys.exit(f"no labs/{lab}-*.ipynb")
    nb = nbformat.read(source[0], as_version=4)
    kinds = list(HOSTILE)
    out = []
    for i in range(copies):
        sid = f"b{i:03d}"
        copy = nbformat.from_dict(nb)
        if i % 4 == 3:                       # every fourth submission is hostile, mid-notebook
            kind = kinds[(i // 4) % len(kinds)]
            code = [j for j, c in enumerate(copy.cells) if c.cell_type == "code"]
            copy.cells.insert(code[len(code) // 2], nbformat.v4.new_code_cell(HOSTILE[kind]))
        path = folder / f"{sid}.ipynb"
        nbformat.write(copy, path)
        out.append((sid, path))
    return out


def bare_papermill(subs, lab: str, workdir: Path, jobs: int, cell_timeout: float) -> float:
    import papermill as pm

    from crmlab.teaching import derive_seed

    def run(item):
        sid, path = item
        d = Path(tempfile.mkdtemp(dir=workdir))
        os.environ.setdefault("MPLBACKEND", "Agg")
        try:
            pm.execute_notebook(str(path), str(d / "out.ipynb"), parameters={
                "student_id": sid, "seed": derive_seed(sid), "db_url": f"sqlite:///{d / 'crm.db'}"},
                cwd=str(d), progress_bar=False, execution_timeout=cell_timeout, kernel_name="python3")
        except Exception:  # noqa: BLE001 - hostile notebooks fail, as they do under the grader
            pass

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(run, subs))
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lab", default="01")
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--cell-timeout", type=float, default=60)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    from crmlab.teaching.grading import grade

    with tempfile.TemporaryDirectory(prefix="crmlab-bench-") as tmp:
        tmp = Path(tmp)
        os.environ["CRMLAB_HOME"] = str(tmp / "home")
        (tmp / "subs").mkdir()
        subs = make_submissions(args.lab, args.copies, tmp / "subs")
        print(f"lab {args.lab}: {args.copies} notebooks ({sum(1 for i in range(args.copies) if i % 4 == 3)} hostile), "
              f"cell timeout {args.cell_timeout:g} s")
        print(f"{'jobs':>4} {'papermill s':>12} {'grade s':>9} {'s/nb pm':>8} {'s/nb grade':>10} {'ratio':>6}")
        for jobs in args.jobs:
            pm_s = bare_papermill(subs, args.lab, tmp, jobs, args.cell_timeout)
            start = time.perf_counter()
            book = grade(tmp / "subs", args.lab, tmp / f"grades-{jobs}", jobs=jobs, timeout=args.cell_timeout * 4,
                         cell_timeout=args.cell_timeout, progress=False)
            gr_s = time.perf_counter() - start
            n = len(subs)
            print(f"{jobs:>4} {pm_s:>12.1f} {gr_s:>9.1f} {pm_s / n:>8.2f} {gr_s / n:>10.2f} {gr_s / pm_s:>6.2f}")
            print(f"     statuses: {book['status'].value_counts().to_dict()}; mean total {book['total'].mean():.2f}"
                  f" / {book['max_points'].iloc[0]:g}")


if __name__ == "__main__":
    main()
