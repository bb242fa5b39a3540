"""BG/NBD and Gamma-Gamma: published CDNOW estimates, an independent simulation, hold-out scoring."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.errors import DataError
from crmlab.value import bgnbd  # noqa: E402  (a module: no function shares its name)

# Fader, Hardie & Lee (2005), Table 1 / Fader & Hardie (2013): printed estimates on the CDNOW sample
BGNBD_CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
GG_CDNOW = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.fixture(scope="module")
def cdnow():
    return bgnbd.load_cdnow()


def test_cdnow_shape(cdnow):
    assert len(cdnow) == 2357
    assert int((cdnow["frequency"] > 0).sum()) == 946          # repeat buyers in the Gamma-Gamma paper


@pytest.mark.parametrize("name", list(BGNBD_CDNOW))
def test_bgnbd_reproduces_published_cdnow_estimates(cdnow, name):
    fit = bgnbd.fit_bgnbd(cdnow)
    assert fit.params[name] == pytest.approx(BGNBD_CDNOW[name], rel=0.01)
    assert fit.converged


def test_bgnbd_loglik_matches_published(cdnow):
    # the paper reports LL = -9582.4 at the optimum
    assert bgnbd.fit_bgnbd(cdnow).loglik == pytest.approx(-9582.4, abs=0.5)


@pytest.mark.parametrize("name", list(GG_CDNOW))
def test_gamma_gamma_reproduces_published_cdnow_estimates(cdnow, name):
    gg = bgnbd.fit_gamma_gamma(cdnow)
    # printed to 2 decimals; the shipped z̄ is rounded to cents, so allow 0.2 %
    assert gg.params[name] == pytest.approx(GG_CDNOW[name], rel=0.002)
    assert gg.n_customers == 946


def test_summary_from_transactions_matches_published_summary(cdnow):
    tx = bgnbd.load_cdnow_transactions()
    s = bgnbd.summary_data_from_orders(tx, observation_end="1997-09-30")
    s = s.reindex(cdnow.index)
    assert (s["frequency"].to_numpy() == cdnow["frequency"].to_numpy()).all()
    # the published file rounds weeks to 2 decimals
    assert np.abs(s["recency"] - cdnow["recency"]).max() < 0.006
    assert np.abs(s["T"] - cdnow["T"]).max() < 0.006
    assert np.abs(s["monetary"] - cdnow["monetary"]).max() < 0.006


def test_summary_hand_example():
    o = pd.DataFrame({"customer_id": [1, 1, 1, 1, 2, 3], "amount": [10.0, 20.0, 5.0, 40.0, 5.0, 9.0],
                      "status": ["paid", "paid", "paid", "delivered", "paid", "cancelled"],
                      "ordered_at": pd.to_datetime(["2024-01-01 09:00", "2024-01-08 00:00", "2024-01-08 18:00",
                                                    "2024-01-22 00:00", "2024-01-15 00:00", "2024-01-16 00:00"])})
    s = bgnbd.summary_data_from_orders(o, observation_end="2024-01-29")
    # two orders on 2024-01-08 are one purchase of 25; customer 3's only order was cancelled
    assert list(s.index) == [1, 2]
    assert s.loc[1].tolist() == [2, 3.0, 4.0, 32.5]
    assert s.loc[2].tolist() == [0, 0.0, 2.0, 0.0]


def _simulate_bgnbd(n, r, alpha, a, b, T, rng):
    """An independent BG/NBD generator (written for the test): returns x, t_x per customer."""
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    x = np.zeros(n, int)
    tx = np.zeros(n)
    t = np.zeros(n)
    alive = np.ones(n, bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        t_new = t[idx] + rng.exponential(1 / lam[idx])
        in_window = t_new <= T[idx]
        buy = idx[in_window]
        x[buy] += 1
        tx[buy] = t_new[in_window]
        t[idx] = t_new
        alive[idx[~in_window]] = False
        die = rng.random(len(buy)) < p[buy]
        alive[buy[die]] = False
    return x, tx


def test_bgnbd_recovers_parameters_of_an_independent_simulation():
    rng = np.random.default_rng(42)
    n = 20000
    T = rng.uniform(30, 80, n)
    x, tx = _simulate_bgnbd(n, 0.5, 6.0, 0.8, 3.0, T, rng)
    fit = bgnbd.fit_bgnbd(pd.DataFrame({"frequency": x, "recency": tx, "T": T}))
    for k, true in {"r": 0.5, "alpha": 6.0, "a": 0.8, "b": 3.0}.items():
        assert fit.params[k] == pytest.approx(true, rel=0.15), k


def test_unconditional_expectation_matches_monte_carlo():
    rng = np.random.default_rng(7)
    fit = bgnbd.BGNBDFit(0.5, 6.0, 1.8, 3.0, 0.0, 0)
    n, t = 100000, 52.0
    x, _ = _simulate_bgnbd(n, 0.5, 6.0, 1.8, 3.0, np.full(n, t), rng)
    assert float(fit.expected_purchases_new(t)) == pytest.approx(x.mean(), rel=0.03)


def test_conditional_expectation_matches_monte_carlo_for_one_history():
    # customers with x = 0 over T = 20 weeks: simulate the future of everyone with that history
    rng = np.random.default_rng(3)
    r, alpha, a, b = 0.6, 5.0, 1.5, 2.5
    n = 200000
    T = np.full(n, 20.0)
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    first_gap = rng.exponential(1 / lam)
    quiet = first_gap > 20.0                      # no repeat purchase in (0, 20]: x = 0, still alive
    lam_q = lam[quiet]
    p_q = p[quiet]
    # future purchases in (20, 46]: memoryless, alive at 20; simulate until dropout or horizon
    t = np.full(len(lam_q), 20.0)
    count = np.zeros(len(lam_q))
    alive = np.ones(len(lam_q), bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        t[idx] += rng.exponential(1 / lam_q[idx])
        inside = t[idx] <= 46.0
        count[idx[inside]] += 1
        alive[idx[~inside]] = False
        die = rng.random(inside.sum()) < p_q[idx[inside]]
        alive[idx[inside][die]] = False
    fit = bgnbd.BGNBDFit(r, alpha, a, b, 0.0, 0)
    pred = fit.expected_purchases(pd.DataFrame({"frequency": [0], "recency": [0.0], "T": [20.0]}), 26).iloc[0]
    assert pred == pytest.approx(count.mean(), rel=0.03)


def test_p_alive_is_one_without_repeat_purchases_and_falls_with_silence():
    fit = bgnbd.BGNBDFit(**BGNBD_CDNOW, loglik=0, n_customers=0)
    d = pd.DataFrame({"frequency": [0, 3, 3], "recency": [0.0, 30.0, 5.0], "T": [38.0, 38.0, 38.0]})
    pa = fit.p_alive(d).to_numpy()
    assert pa[0] == 1.0 and pa[1] > pa[2]


def test_cdnow_holdout_total_is_predicted_within_15_percent(cdnow):
    """Weeks 40-78 of CDNOW: the model's total is near the actual count (it runs a little below:
    1,653 predicted vs 1,882 actual purchase days, as the tracking plots of the paper show it
    slightly under the actual curve late in the hold-out)."""
    fit = bgnbd.fit_bgnbd(cdnow)
    tx = bgnbd.load_cdnow_transactions()
    actual = bgnbd.holdout_from_orders(tx, cdnow.index, start="1997-09-30", end="1998-06-30")
    pred = pd.DataFrame({"expected_purchases": fit.expected_purchases(cdnow, 39.0)})
    scored = bgnbd.score_predictions(pred, actual)
    m = scored["metrics"]
    assert m["n_customers"] == 2357
    # independent count: distinct (customer, day) pairs after the calibration end
    later = tx[(tx["ordered_at"] > "1997-09-30") & (tx["ordered_at"] <= "1998-06-30")]
    assert m["total_actual"] == len(later.drop_duplicates(["customer_id", "ordered_at"]))
    assert m["total_predicted"] == pytest.approx(m["total_actual"], rel=0.15)
    d = scored["deciles"]
    assert list(d.index) == list(range(1, 11)) and d["n_customers"].sum() == 2357
    # the ranking is informative: top decile buys far more than the bottom half
    assert d.loc[1, "actual"] > 5 * d.loc[6:, "actual"].mean()


def test_predictive_clv_without_discount_equals_purchases_times_spend(cdnow):
    fit = bgnbd.fit_bgnbd(cdnow)
    gg = bgnbd.fit_gamma_gamma(cdnow)
    out = bgnbd.predictive_clv(fit, gg, cdnow.head(50), horizon=52, period=4, r=0.0)
    np.testing.assert_allclose(out["clv"], out["expected_purchases"] * out["expected_spend"], rtol=1e-9)
    disc = bgnbd.predictive_clv(fit, gg, cdnow.head(50), horizon=52, period=4, r=0.01)
    assert (disc["clv"] <= out["clv"] + 1e-12).all()


def test_gamma_gamma_expected_spend_is_between_own_mean_and_population_mean(cdnow):
    gg = bgnbd.fit_gamma_gamma(cdnow)
    rep = cdnow[cdnow["frequency"] > 0]
    e = gg.expected_spend(rep)
    pop = gg.population_mean_spend
    lo = np.minimum(rep["monetary"], pop) - 1e-9
    hi = np.maximum(rep["monetary"], pop) + 1e-9
    assert ((e >= lo) & (e <= hi)).all()


def test_bad_inputs_name_the_column():
    with pytest.raises(DataError) as e:
        bgnbd.fit_bgnbd(pd.DataFrame({"frequency": [1], "recency": [2.0]}))
    assert e.value.field == "T"
    with pytest.raises(DataError) as e:
        bgnbd.fit_bgnbd(pd.DataFrame({"frequency": [1, 2], "recency": [5.0, 2.0], "T": [3.0, 4.0]}))
    assert e.value.field == "recency"
    with pytest.raises(DataError) as e:
        bgnbd.fit_bgnbd(pd.DataFrame({"frequency": ["a"], "recency": [0.0], "T": [1.0]}))
    assert e.value.field == "frequency" and "numeric" in e.value.reason
    with pytest.raises(DataError) as e:
        bgnbd.summary_data_from_orders(pd.DataFrame({"customer_id": [1], "ordered_at": ["2024-01-01"],
                                                     "amount": [-3.0]}))
    assert e.value.field == "amount" and "negative" in e.value.reason
    with pytest.raises(DataError) as e:
        bgnbd.summary_data_from_orders(pd.DataFrame({"customer_id": [], "ordered_at": [], "amount": []}))
    assert "empty" in e.value.reason


@pytest.mark.parametrize("ids", ["int", "str"])
@pytest.mark.parametrize("same_day", [True, False])
def test_summary_matches_a_plain_pandas_oracle(ids, same_day):
    rng = np.random.default_rng(9)
    n = 3000
    cid = rng.integers(0, 400, n) * 7 + 3
    o = pd.DataFrame({"customer_id": cid.astype(str) if ids == "str" else cid,
                      "ordered_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300 * 24, n), unit="h"),
                      "amount": rng.gamma(2, 30, n).round(2)})
    end = pd.Timestamp("2024-12-31")
    got = bgnbd.summary_data_from_orders(o, observation_end=end, same_day=same_day)
    d = o.assign(t=o["ordered_at"].dt.floor("D") if same_day else o["ordered_at"])
    d = d.groupby(["customer_id", "t"], as_index=False)["amount"].sum() if same_day else d.sort_values(["customer_id", "t"])
    rows = {}
    for c, g in d.groupby("customer_id"):
        g = g.sort_values("t")
        x = len(g) - 1
        rows[c] = (x, (g["t"].iloc[-1] - g["t"].iloc[0]).total_seconds() / 604800,
                   (end - g["t"].iloc[0]).total_seconds() / 604800, g["amount"].iloc[1:].mean() if x else 0.0)
    want = pd.DataFrame.from_dict(rows, orient="index", columns=["frequency", "recency", "T", "monetary"])
    assert list(got.index) == sorted(want.index)
    want = want.loc[got.index]
    assert (got["frequency"].to_numpy() == want["frequency"].to_numpy()).all()
    np.testing.assert_allclose(got[["recency", "T", "monetary"]].to_numpy(), want[["recency", "T", "monetary"]].to_numpy(),
                               rtol=1e-9, atol=1e-9)
