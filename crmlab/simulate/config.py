"""The simulator's configuration: every option, its default, and the checks that refuse bad values."""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field, fields

import numpy as np

from crmlab.errors import ConfigError

LOCALES = ("zh_CN", "en_US")


@dataclass(frozen=True)
class SimConfig:
    """Options of :func:`crmlab.simulate` (all keyword arguments; defaults give the standard course data).

    Time is measured in weeks from ``observation_start``. Orders from ``observation_start`` up to
    ``observation_end`` are the data students analyse; orders up to ``holdout_end`` are the hold-out
    future (tables ``holdout_orders`` / ``holdout_order_lines``).
    """

    n_customers: int = 2000
    seed: int = 0
    locale: str = "zh_CN"
    observation_start: str = "2023-01-01"
    observation_end: str = "2025-01-01"
    holdout_end: str = "2026-01-01"
    acquisition_weeks: float = 78.0          # customers register uniformly over the first 78 weeks
    prospect_share: float = 0.08             # registered but never bought (潜在客户)
    company_share: float = 0.10              # business customers (企业客户) with credit terms
    # buy-till-you-die purchase process (BG/NBD): λ ~ Gamma(r, rate α) per week; p ~ Beta(a, b)
    bgnbd_r: float = 0.85
    bgnbd_alpha: float = 5.0
    bgnbd_a: float = 0.7
    bgnbd_b: float = 3.5
    attitude_dropout_corr: float = 0.6       # Gaussian-copula link: loyal attitude → lower dropout
    # spend per order (Gamma-Gamma): z ~ Gamma(p, rate ν); ν ~ Gamma(q, rate γ); E[z] = pγ/(q−1) yuan
    spend_p: float = 6.0
    spend_q: float = 4.0
    spend_gamma: float = 150.0
    noise_order_share: float = 0.05          # extra placed-but-unpaid / cancelled orders (not purchases)
    return_share: float = 0.02               # purchases later returned (still purchases)
    segment_purity: float = 0.9              # share of a segment's anchor items from its own department
    channel_purity: float = 0.85             # share of a segment's orders through its preferred channel
    opportunities_per_customer: float = 1.5
    n_campaigns: int = 4
    late_payment_days_mean: float = 75.0     # mean lateness of a late business invoice (days)

    # ---------------------------------------------------------------------------------------------
    def __post_init__(self):
        def positive_int(name):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
                raise ConfigError(name, f"must be a positive whole number, got {v!r}")

        def share(name, lo=0.0, hi=1.0, open_hi=False):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not np.isfinite(v):
                raise ConfigError(name, f"must be a number, got {v!r}")
            if v < lo or v > hi or (open_hi and v == hi):
                raise ConfigError(name, f"must lie between {lo} and {hi}, got {v!r}")

        def positive(name):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not np.isfinite(v) or v <= 0:
                raise ConfigError(name, f"must be a positive number, got {v!r}")

        positive_int("n_customers")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or self.seed < 0:
            raise ConfigError("seed", f"must be a whole number ≥ 0, got {self.seed!r}")
        if self.locale not in LOCALES:
            raise ConfigError("locale", f"must be one of {LOCALES}, got {self.locale!r}")
        try:
            t0, t1, t2 = (np.datetime64(self.observation_start, "D"), np.datetime64(self.observation_end, "D"),
                          np.datetime64(self.holdout_end, "D"))
        except ValueError as exc:
            raise ConfigError("observation_start", f"dates must look like 2023-01-01 ({exc})") from None
        if not t0 < t1:
            raise ConfigError("observation_end", "must be after observation_start")
        if not t1 < t2:
            raise ConfigError("holdout_end", "must be after observation_end")
        if not 0 < self.acquisition_weeks <= (t1 - t0).astype(int) / 7:
            raise ConfigError("acquisition_weeks", "must be positive and fit inside the observation window")
        for name in ("prospect_share", "company_share", "noise_order_share", "return_share"):
            share(name, 0.0, 1.0, open_hi=True)
        for name in ("segment_purity", "channel_purity"):
            share(name, 0.0, 1.0)
        share("attitude_dropout_corr", -1.0, 1.0, open_hi=True)
        for name in ("bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b", "spend_p", "spend_q", "spend_gamma",
                     "late_payment_days_mean"):
            positive(name)
        if self.spend_q <= 1:
            raise ConfigError("spend_q", "must exceed 1 (the mean order value is pγ/(q−1))")
        if not isinstance(self.opportunities_per_customer, (int, float)) or self.opportunities_per_customer < 0:
            raise ConfigError("opportunities_per_customer", "must be a number ≥ 0")
        if isinstance(self.n_campaigns, bool) or not isinstance(self.n_campaigns, (int, np.integer)) \
                or not 0 <= self.n_campaigns <= 50:
            raise ConfigError("n_campaigns", "must be a whole number from 0 to 50")

    # ---------------------------------------------------------------------------------------------
    @classmethod
    def from_options(cls, **options) -> "SimConfig":
        """Build from keyword options, refusing unknown ones by name."""
        known = {f.name for f in fields(cls)}
        for name in options:
            if name not in known:
                close = [k for k in known if k.split("_")[0] == name.split("_")[0]]
                hint = (f"; did you mean {close[0]!r}?" if close
                        else f"; the options are {', '.join(sorted(known))}")
                raise ConfigError(name, f"is not an option of crmlab.simulate{hint}")
        return cls(**options)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def key(self) -> str:
        """A canonical JSON form: two databases with equal keys hold identical data."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @property
    def t_start(self) -> np.datetime64:
        return np.datetime64(self.observation_start, "s")

    @property
    def t_end(self) -> np.datetime64:
        return np.datetime64(self.observation_end, "s")

    @property
    def t_holdout_end(self) -> np.datetime64:
        return np.datetime64(self.holdout_end, "s")

    @property
    def weeks_observed(self) -> float:
        return float((self.t_end - self.t_start).astype(np.int64)) / (7 * 86400)

    @property
    def weeks_total(self) -> float:
        return float((self.t_holdout_end - self.t_start).astype(np.int64)) / (7 * 86400)


_ = field  # (kept for dataclass extensions)
