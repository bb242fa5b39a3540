"""Release: write student versions of source lab notebooks.

Lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` are replaced: in code cells by
``# YOUR CODE HERE`` plus ``name = None`` for every name the solution assigned (so the released
notebook still runs top to bottom and reports those exercises as unanswered); in Markdown cells
by a prompt to write the answer. Outputs, execution counts and saved widget state are cleared; the
``parameters`` cell is kept.
"""
from __future__ import annotations

import ast
import copy
import re
from pathlib import Path

import nbformat

from crmlab.errors import ConfigError

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
CODE_PLACEHOLDER = "# YOUR CODE HERE"
MD_PLACEHOLDER = "_Write your answer here._"
_BEGIN_RE = re.compile(r"^\s*(#+|<!--)?\s*BEGIN SOLUTION\b")
_END_RE = re.compile(r"^\s*(#+|<!--)?\s*END SOLUTION\b")


def _assigned_names(code: str) -> list[str]:
    """Top-level names a code block assigns (in order), for the ``name = None`` placeholders."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    names: list[str] = []

    def add(target):
        if isinstance(target, ast.Name) and target.id not in names:
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                add(elt)

    for node in tree.body:
        if isinstance(node, ast.Assign):
            for tg in node.targets:
                add(tg)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            add(node.target)
    return names


def strip_solutions(source: str, cell_type: str = "code", where: str = "cell") -> str:
    """``source`` with every solution block replaced by its placeholder."""
    out: list[str] = []
    block: list[str] | None = None
    indent = ""
    for line in source.splitlines():
        if _BEGIN_RE.match(line):
            if block is not None:
                raise ConfigError(where, f"'{BEGIN}' inside another solution block")
            block = []
            indent = line[: len(line) - len(line.lstrip())]
            continue
        if _END_RE.match(line):
            if block is None:
                raise ConfigError(where, f"'{END}' without a matching '{BEGIN}'")
            if cell_type == "code":
                out.append(indent + CODE_PLACEHOLDER)
                import textwrap

                names = _assigned_names(textwrap.dedent("\n".join(block)))
                for name in names:
                    out.append(f"{indent}{name} = None")
                if indent and not names:
                    out.append(f"{indent}pass")
            else:
                out.append(MD_PLACEHOLDER)
            block = None
            continue
        if block is not None:
            block.append(line)
        else:
            out.append(line)
    if block is not None:
        raise ConfigError(where, f"'{BEGIN}' is never closed by '{END}'")
    return "\n".join(out)


def release_notebook(nb):
    """A student version of notebook ``nb`` (an ``nbformat`` node; the input is not changed)."""
    nb = copy.deepcopy(nb)
    cells = []
    for i, cell in enumerate(nb.cells):
        tags = set((cell.get("metadata") or {}).get("tags", []))
        if "solution-only" in tags:       # whole cells meant for instructors only
            continue
        where = f"cell {i + 1}"
        cell.source = strip_solutions(cell.source, cell.cell_type, where)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        meta = cell.get("metadata") or {}
        for key in ("execution", "papermill", "collapsed", "scrolled"):
            meta.pop(key, None)
        cells.append(cell)
    nb.cells = cells
    for key in ("widgets", "papermill"):
        nb.metadata.pop(key, None)
    return nb


def release(src, out, *, overwrite: bool = True) -> list[Path]:
    """Write student versions of the notebook(s) ``src`` (a file or a folder) into folder ``out``.

    Returns the written paths. A notebook whose solution markers do not pair up is a
    ``ConfigError`` naming the notebook and cell, and nothing is written for it.
    """
    src, out = Path(src), Path(out)
    if not src.exists():
        raise ConfigError("src", f"{src} does not exist")
    paths = [src] if src.is_file() else sorted(p for p in src.glob("*.ipynb") if not p.name.startswith("."))
    if not paths:
        raise ConfigError("src", f"no .ipynb notebooks in {src}")
    released = []
    for p in paths:
        try:
            student = release_notebook(nbformat.read(p, as_version=4))
        except ConfigError as exc:
            raise ConfigError(f"{p.name}: {exc.field}", exc.reason) from None
        released.append((p, student))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for p, student in released:
        target = out / p.name
        if target.exists() and not overwrite:
            raise ConfigError("out", f"{target} exists (use overwrite=True)")
        nbformat.write(student, target)
        written.append(target)
    return written


__all__ = ["release", "release_notebook", "strip_solutions", "BEGIN", "END"]
