"""Run one submission under papermill with a memory limit: the grader's child process.

The grader starts ``python -m crmlab.teaching.runner IN OUT PARAMS_JSON STATUS_JSON
--cell-timeout S --memory-mb M`` for each submission (its own session, folder and environment),
which calls :func:`execute`. The memory limit (``RLIMIT_AS``) is
set before the kernel starts, so the kernel inherits it. The outcome (ok, timeout, kernel died,
cell error, memory) goes to STATUS_JSON.
"""
from __future__ import annotations

import argparse
import json
import sys


def _limit_memory(mb: int) -> None:
    if mb and mb > 0:
        import resource

        limit = int(mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def execute(input, output, params: dict, status_path, *, cell_timeout=300, memory_mb=0, kernel="python3") -> dict:
    """Run the notebook under papermill with the memory limit; write and return the outcome."""
    status = {"status": "ok"}
    import os

    import papermill as pm  # imported before the limit: loading it needs no kernel memory

    # no browser will show widgets here: their views print into the cells (crmlab.headless)
    os.environ["CRMLAB_HEADLESS"] = "1"

    _limit_memory(memory_mb)
    try:
        pm.execute_notebook(str(input), str(output), parameters=params, kernel_name=kernel,
                            execution_timeout=cell_timeout, progress_bar=False, log_output=False,
                            request_save_on_cell_execute=True)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a reason in the gradebook
        status = classify(exc)
    with open(status_path, "w", encoding="utf-8") as fh:
        json.dump(status, fh)
    return status


def classify(exc: BaseException) -> dict:
    name = type(exc).__name__
    text = str(exc)
    ename = getattr(exc, "ename", "") or ""
    if "Timeout" in name or "timed out" in text.lower():
        return {"status": "timeout"}
    if "DeadKernel" in name or "kernel died" in text.lower():
        return {"status": "kernel_died"}
    if ename == "MemoryError" or "MemoryError" in text[:500]:
        return {"status": "memory"}
    if name == "PapermillExecutionError":
        return {"status": "cell_error", "error": (ename or "error")[:80]}
    return {"status": "kernel_died", "error": f"{name}: {text.splitlines()[0] if text else ''}"[:200]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crmlab.teaching.runner")
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("params")
    ap.add_argument("status")
    ap.add_argument("--cell-timeout", type=float, default=300)
    ap.add_argument("--memory-mb", type=int, default=0)
    ap.add_argument("--kernel", default="python3")
    args = ap.parse_args(argv)
    execute(args.input, args.output, json.loads(args.params), args.status, cell_timeout=args.cell_timeout,
            memory_mb=args.memory_mb, kernel=args.kernel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
