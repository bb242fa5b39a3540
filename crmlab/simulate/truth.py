"""The planted truths of a simulated database, readable with one call: ``crmlab.truth(db)``."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from crmlab.db.engine import Database
from crmlab.errors import ConfigError


@dataclass
class Truth:
    """What the simulator planted: compare a student's estimate with it.

    Attributes
    ----------
    params : dict
        Every planted parameter, by domain: ``purchase`` (BG/NBD r, alpha, a, b; weeks),
        ``spend`` (Gamma-Gamma p, q, gamma), ``baskets`` (planted pairs with their exact lift),
        ``segments``, ``lifecycle``, ``churn``, ``credit``, ``categories``, ``campaigns`` (uplift),
        ``funnel`` (conversion rates), and ``survey`` / ``service`` where present.
    customers : DataFrame
        One row per customer: purchase_rate (λ per week), dropout_prob (p), spend_nu, mean_spend,
        alive_at_end, dropout_at, alive_at_holdout_end, stage, segment, churn_type, credit_risk,
        attitude, price_sensitivity.
    config : dict
        The options the database was built with.
    seed : int

    Examples
    --------
    >>> import crmlab
    >>> db = crmlab.simulate(n_customers=200, seed=3, url="sqlite://")
    >>> t = crmlab.truth(db)
    >>> sorted(t.params["purchase"])[:4]
    ['a', 'alpha', 'attitude_dropout_corr', 'b']
    """

    params: dict
    customers: pd.DataFrame = field(repr=False)
    config: dict
    seed: int

    def __getitem__(self, key):
        return self.params[key]


def truth(db: Database) -> Truth:
    """Read the planted truths of a database built by :func:`crmlab.simulate`."""
    from crmlab.db.io import read_table

    try:
        with db.engine.connect() as conn:
            rows = dict(conn.exec_driver_sql("SELECT key, value FROM crmlab_meta").fetchall())
    except Exception:  # noqa: BLE001
        rows = {}
    if "truth" not in rows:
        raise ConfigError("db", "was not built by crmlab.simulate: it holds no planted truths")
    return Truth(params=json.loads(rows["truth"]), customers=read_table(db, "truth_customers"),
                 config=json.loads(rows["config"]), seed=int(rows["seed"]))
