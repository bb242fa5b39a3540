"""The command line answers at once: --help and refused options never import the heavy libraries.

Each case runs in a fresh interpreter, so what it imports is exactly what the command needs.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ["numpy", "pandas", "scipy", "sqlalchemy", "matplotlib", "sklearn"]


def _imported_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint(' '.join(sorted(m for m in sys.modules if '.' not in m)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("argv", [["--help"], ["simulate", "--help"], ["grade", "--help"],
                                  ["release", "--help"], ["simulate", "--no-such-flag"]])
def test_help_and_refusals_import_nothing_heavy(argv):
    code = ("from crmlab.cli import main\n"
            "try:\n"
            f"    main({argv!r})\n"
            "except SystemExit:\n"
            "    pass\n")
    loaded = _imported_after(code)
    assert not loaded & set(HEAVY), f"crmlab {' '.join(argv)} imported {sorted(loaded & set(HEAVY))}"


def test_import_crmlab_is_light():
    assert not _imported_after("import crmlab") & set(HEAVY)


def test_simulate_is_callable_whatever_was_imported_first():
    # importing a submodule rebinds crmlab.simulate to the subpackage: it must still build databases
    code = ("import crmlab.simulate.build, crmlab\n"
            "db = crmlab.simulate(n_customers=30, seed=1, url='sqlite://')\n"
            "from crmlab.simulate import truth\n"
            "assert callable(truth) and not isinstance(truth, type(crmlab))\n"
            "t = crmlab.truth(db)\n"
            "print(len(crmlab.read_table(db, 'customers')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == "30"


def test_unknown_model_option_lists_the_options():
    out = subprocess.run([sys.executable, "-m", "crmlab.cli", "simulate", "--url", "sqlite://",
                          "--option", "zzz=1"], capture_output=True, text=True)
    assert out.returncode == 2
    assert "zzz" in out.stderr and "bgnbd_r" in out.stderr
