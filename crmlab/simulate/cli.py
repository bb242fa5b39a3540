"""``crmlab simulate``: build a simulated CRM database from the shell."""
from __future__ import annotations

import argparse
import sys

HELP = "build a simulated CRM database (SQLite file or PostgreSQL URL) with planted truths"


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """States real defaults only (no "(default: None)" noise) and keeps the examples' line breaks."""

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        silent = default is None or default is False or default == [] or default is argparse.SUPPRESS
        if not silent and "%(default)" not in text:
            text += " (default: %(default)s)"
        return text


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "simulate", help=HELP, description=HELP + ".",
        formatter_class=_Formatter,
        epilog="Examples:\n  crmlab simulate --customers 100000 --seed 3 --url sqlite:///class.db\n"
               "  crmlab simulate --url postgresql+psycopg://crm:pw@127.0.0.1/class --seed 11\n"
               "Options of the generative model: --option NAME=VALUE (see crmlab/simulate/README.md).",
    )
    p.add_argument("--customers", type=int, default=2000, help="number of customers")
    p.add_argument("--seed", type=int, default=0, help="random seed: same seed, same database")
    p.add_argument("--url", default=None,
                   help="SQLAlchemy URL; default: $CRMLAB_DB_URL, else the file crmlab.db in "
                        "$CRMLAB_HOME (~/.crmlab when unset)")
    p.add_argument("--locale", default="zh_CN", choices=["zh_CN", "en_US"], help="Faker locale for names and places")
    p.add_argument("--if-exists", default="auto", choices=["auto", "reuse", "replace", "error"],
                   help="what to do when the database already holds a simulation")
    p.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                   help="a model option, e.g. --option bgnbd_r=0.5 (repeatable)")
    p.add_argument("--quiet", action="store_true", help="no progress bars (they show from 50,000 customers)")
    p.set_defaults(func=run)


def _parse_options(pairs: list[str]) -> dict:
    from crmlab.errors import ConfigError

    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise ConfigError("--option", f"expects NAME=VALUE, got {pair!r}")
        name, value = pair.split("=", 1)
        for cast in (int, float):
            try:
                out[name] = cast(value)
                break
            except ValueError:
                continue
        else:
            out[name] = value
    return out


def run(args) -> int:
    options = _parse_options(args.option)
    from crmlab.simulate.config import SimConfig

    SimConfig.from_options(**options)      # refuse a wrong option before the heavy imports
    import crmlab

    db = crmlab.simulate(n_customers=args.customers, seed=args.seed, url=args.url, locale=args.locale,
                         if_exists=args.if_exists, progress=False if args.quiet else None, **options)
    counts = getattr(db, "row_counts", None)
    if counts is None:
        print(f"crmlab: {db!r} already holds this simulation (seed {args.seed}, {args.customers:,} customers); reused")
    else:
        total = sum(counts.values())
        print(f"crmlab: wrote {total:,} rows in {len(counts)} tables ({counts.get('customers', 0):,} customers, "
              f"{counts.get('orders', 0):,} orders, {counts.get('order_lines', 0):,} order lines, "
              f"{counts.get('holdout_orders', 0):,} hold-out orders) to {db!r} in {db.build_seconds:.1f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(0)
