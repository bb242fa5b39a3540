"""Run one submission under papermill with resource limits (used by the grader in a child process).

``python -m crmlab.teaching.runner IN OUT PARAMS_JSON STATUS_JSON --cell-timeout S --memory-mb M``

The memory limit (``RLIMIT_AS``) is set in this process before the kernel starts, so the kernel
inherits it. The outcome (ok, timeout, kernel died, cell error, memory) goes to STATUS_JSON.
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
    params = json.loads(args.params)
    status = {"status": "ok"}
    import papermill as pm  # imported before the limit: loading it needs no kernel memory

    _limit_memory(args.memory_mb)
    try:
        pm.execute_notebook(args.input, args.output, parameters=params, kernel_name=args.kernel,
                            execution_timeout=args.cell_timeout, progress_bar=False, log_output=False,
                            request_save_on_cell_execute=True)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a reason in the gradebook
        name = type(exc).__name__
        text = str(exc)
        ename = getattr(exc, "ename", "") or ""
        if "Timeout" in name or "timed out" in text.lower():
            status = {"status": "timeout"}
        elif "DeadKernel" in name or "Kernel died" in text or "kernel died" in text.lower():
            status = {"status": "kernel_died"}
        elif ename == "MemoryError" or "MemoryError" in text[:500]:
            status = {"status": "memory"}
        elif name == "PapermillExecutionError":
            status = {"status": "cell_error", "error": (ename or "error")[:80]}
        else:
            status = {"status": "kernel_died", "error": f"{name}: {text.splitlines()[0] if text else ''}"[:200]}
    with open(args.status, "w", encoding="utf-8") as fh:
        json.dump(status, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
