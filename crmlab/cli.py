"""The ``crmlab`` command line. Each command lives with its subpackage and adds itself through a
``register(subparsers)`` function; this file only wires them together."""
from __future__ import annotations

import argparse
import sys

from crmlab.errors import CrmlabError

# Modules that add commands: each has register(subparsers). Order = order in --help.
COMMANDS = ["crmlab.simulate.cli", "crmlab.teaching.cli", "crmlab.teaching.exam_cli"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crmlab",
        description="crmlab: Jupyter labs for Customer Relationship Management (客户关系管理).",
        epilog="Run 'crmlab COMMAND --help' for the options of a command.")
    from crmlab import __version__

    parser.add_argument("--version", action="version", version=f"crmlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    import importlib

    for module in COMMANDS:
        importlib.import_module(module).register(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CrmlabError as exc:
        print(f"crmlab {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
