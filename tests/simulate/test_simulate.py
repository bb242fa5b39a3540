"""The simulator: determinism, planted truths, hold-out separation, locales, bad config, no half builds.

Expected values come from independent formulas of the generative model (BG/NBD's E[X(t)],
Gamma-Gamma's mean, the exact pair lift), never from the simulator's own output.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from scipy.special import hyp2f1

import crmlab
from crmlab.cli import main as cli_main
from crmlab.db.io import table_hashes
from crmlab.errors import ConfigError, DatabaseNotEmpty
from crmlab.simulate import build, catalog


@pytest.fixture(scope="module")
def db5000(tmp_path_factory):
    path = tmp_path_factory.mktemp("sim") / "big.db"
    return crmlab.simulate(n_customers=5000, seed=11, url=f"sqlite:///{path}")


# ------------------------------------------------------------------ determinism
def test_same_seed_same_tables_different_seed_different(tmp_path):
    a = crmlab.simulate(n_customers=300, seed=5, url=f"sqlite:///{tmp_path / 'a.db'}")
    b = crmlab.simulate(n_customers=300, seed=5, url=f"sqlite:///{tmp_path / 'b.db'}")
    c = crmlab.simulate(n_customers=300, seed=6, url=f"sqlite:///{tmp_path / 'c.db'}")
    ha, hb, hc = table_hashes(a), table_hashes(b), table_hashes(c)
    assert ha == hb
    assert len(ha) == len(crmlab.db.TABLES)
    differ = [t for t in ha if ha[t] != hc[t]]
    assert {"customers", "orders", "order_lines", "truth_customers"} <= set(differ)


@pytest.mark.postgres
def test_both_engines_hold_identical_tables(tmp_path, pg_url):
    lite = crmlab.simulate(n_customers=400, seed=8, url=f"sqlite:///{tmp_path / 'x.db'}")
    pg = crmlab.simulate(n_customers=400, seed=8, url=pg_url)
    assert table_hashes(lite) == table_hashes(pg)
    # ids continue after the bulk load (sequences moved past the loaded rows)
    with pg.engine.begin() as conn:
        new_id = conn.execute(crmlab.db.schema.teams.insert().values(name="new team")
                              .returning(crmlab.db.schema.teams.c.team_id)).scalar_one()
    assert new_id == 3


# ------------------------------------------------------------------ planted truths
def test_truth_is_readable_in_one_call(db5000):
    t = crmlab.truth(db5000)
    for key in ("purchase", "spend", "baskets", "segments", "lifecycle", "churn", "credit", "categories",
                "campaigns", "funnel"):
        assert key in t.params, key
    assert {"r", "alpha", "a", "b"} <= set(t.params["purchase"])
    assert len(t.customers) == 5000
    assert set(t.customers.stage) <= {"exploration", "formation", "stability", "decline", "termination"}
    assert t.seed == 11 and t.config["n_customers"] == 5000


def _repeat_counts(db):
    p = crmlab.truth(db).params["purchase"]
    orders = crmlab.read_table(db, "orders", columns=["customer_id", "ordered_at", "status"])
    buys = orders.loc[orders.status.isin(p["purchase_statuses"])]
    cust = crmlab.read_table(db, "customers", columns=["customer_id", "registered_at"])
    first = cust.set_index("customer_id").registered_at
    end = pd.Timestamp(p["observation_end"])
    n = buys.groupby("customer_id").size()
    buyers = n.index
    x = n - 1                                           # repeat purchases
    T = (end - first.loc[buyers]).dt.total_seconds() / (7 * 86400)
    return x, T, p


def test_repeat_purchases_follow_the_bgnbd_expectation(db5000):
    """Mean repeat purchases match E[X(T)] = (a+b−1)/(a−1)·[1 − (α/(α+T))^r·₂F₁(r, b; a+b−1; T/(α+T))]."""
    x, T, p = _repeat_counts(db5000)
    r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
    expected = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + T)) ** r * hyp2f1(r, b, a + b - 1, T / (alpha + T)))
    ratio = x.mean() / expected.mean()
    assert 0.9 < ratio < 1.1, ratio


def test_order_values_follow_the_gamma_gamma_mean(db5000):
    s = crmlab.truth(db5000).params["spend"]
    orders = crmlab.read_table(db5000, "orders", columns=["amount", "status"])
    paid = orders.loc[orders.status.isin(["paid", "shipped", "delivered", "returned"]), "amount"]
    expected = s["p"] * s["gamma"] / (s["q"] - 1)        # E[z] = p·γ/(q−1)
    assert abs(paid.mean() / expected - 1) < 0.06


def test_planted_beer_and_diapers_lift(db5000):
    pair = next(q for q in crmlab.truth(db5000).params["baskets"]["pairs"] if q["consequent"] == "beer")
    # the planted lift is the exact formula P(B|A) / P(B)
    spec = next(q for q in catalog.PAIRS if q["consequent"] == "beer")
    p_b = spec["pi_a"] * spec["pi_b_given_a"] + (1 - spec["pi_a"]) * spec["pi_b_given_not_a"]
    assert pair["lift"] == pytest.approx(spec["pi_b_given_a"] / p_b)
    lines = crmlab.read_table(db5000, "order_lines", columns=["order_id", "product_id"])
    prods = crmlab.read_table(db5000, "products", columns=["product_id", "product_category_id"])
    cats = crmlab.read_table(db5000, "product_categories", columns=["product_category_id", "code"])
    code = lines.merge(prods, on="product_id").merge(cats, on="product_category_id")
    basket = code.groupby("order_id").code.agg(set)
    a = basket.map(lambda s: "diapers" in s)
    b_ = basket.map(lambda s: "beer" in s)
    lift = (a & b_).mean() / (a.mean() * b_.mean())
    assert abs(lift / pair["lift"] - 1) < 0.12


def test_money_adds_up_to_the_cent(db5000):
    orders = crmlab.read_table(db5000, "orders")
    lines = crmlab.read_table(db5000, "order_lines")
    gross = (lines.quantity * lines.unit_price).groupby(lines.order_id).sum()
    o = orders.set_index("order_id")
    assert np.allclose(o.gross_amount, gross.reindex(o.index), atol=0.005)
    assert np.allclose(o.amount, o.gross_amount - o.discount, atol=0.005)
    assert (o.n_items == lines.groupby("order_id").quantity.sum().reindex(o.index)).all()


def test_holdout_future_is_stored_apart(db5000):
    p = crmlab.truth(db5000).params["purchase"]
    obs = crmlab.read_table(db5000, "orders", columns=["order_id", "ordered_at"])
    fut = crmlab.read_table(db5000, "holdout_orders", columns=["order_id", "ordered_at"])
    assert obs.ordered_at.max() < pd.Timestamp(p["observation_end"]) <= fut.ordered_at.min()
    assert fut.ordered_at.max() < pd.Timestamp(p["holdout_end"])
    assert not set(obs.order_id) & set(fut.order_id)
    fl = crmlab.read_table(db5000, "holdout_order_lines", columns=["order_id"])
    assert set(fl.order_id) <= set(fut.order_id)
    # customers who dropped out before the observation date buy nothing afterwards
    t = crmlab.truth(db5000).customers
    dead = set(t.loc[t.alive_at_end == 0, "customer_id"])
    later = crmlab.read_table(db5000, "holdout_orders", columns=["customer_id", "status"])
    buyers_later = set(later.loc[later.status.isin(p["purchase_statuses"]), "customer_id"])
    assert not dead & buyers_later


def test_campaign_control_group_is_never_contacted(db5000):
    m = crmlab.read_table(db5000, "campaign_members")
    assert m.loc[m.group == "control", "sent_at"].isna().all()
    assert m.loc[m.group == "treatment", "sent_at"].notna().all()
    truth = crmlab.truth(db5000).params["campaigns"]
    assert all(v["uplift"] > 0 for v in truth.values())


# ------------------------------------------------------------------ locales
@pytest.mark.parametrize("locale,cjk", [("zh_CN", True), ("en_US", False)])
def test_faker_locales(locale, cjk):
    db = crmlab.simulate(n_customers=150, seed=3, url="sqlite://", locale=locale)
    c = crmlab.read_table(db, "customers", columns=["name", "city", "phone", "customer_type"])
    people = c.loc[c.customer_type == "person", "name"]
    has_cjk = people.map(lambda s: any("\u4e00" <= ch <= "\u9fff" for ch in s))
    assert has_cjk.all() if cjk else not has_cjk.any()
    assert c.name.nunique() > 100
    if cjk:
        assert c.phone.str.fullmatch(r"1[3-9]\d{9}").all()
    else:
        assert c.phone.str.fullmatch(r"\d{3}-\d{3}-\d{4}").all()


# ------------------------------------------------------------------ bad config, nothing half-built
@pytest.mark.parametrize("options,field", [
    (dict(n_customers=-5), "n_customers"),
    (dict(n_customers=0), "n_customers"),
    (dict(n_customers=2.5), "n_customers"),
    (dict(seed=-1), "seed"),
    (dict(locale="fr_FR"), "locale"),
    (dict(company_share=1.5), "company_share"),
    (dict(bgnbd_r=-1), "bgnbd_r"),
    (dict(spend_q=0.5), "spend_q"),
    (dict(holdout_end="2024-01-01"), "holdout_end"),
    (dict(n_customerz=10), "n_customerz"),
    (dict(if_exists="sometimes"), "if_exists"),
])
def test_bad_config_is_refused_by_name_and_writes_nothing(tmp_path, options, field):
    path = tmp_path / "bad.db"
    opts = {"n_customers": 50, **options}
    with pytest.raises(ConfigError) as err:
        crmlab.simulate(url=f"sqlite:///{path}", **opts)
    assert err.value.field == field
    assert not path.exists()


def test_unreachable_url_is_refused():
    with pytest.raises(ConfigError) as err:
        crmlab.simulate(n_customers=20, url="postgresql+psycopg://nobody:pw@127.0.0.1:1/x?connect_timeout=2")
    assert err.value.field == "url"


def test_foreign_data_is_refused_and_kept(tmp_path):
    path = tmp_path / "foreign.db"
    eng = sa.create_engine(f"sqlite:///{path}")
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE thesis (chapter INTEGER)")
        conn.exec_driver_sql("INSERT INTO thesis VALUES (1)")
    with pytest.raises(DatabaseNotEmpty) as err:
        crmlab.simulate(n_customers=20, url=f"sqlite:///{path}")
    assert err.value.field == "url"
    with eng.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM thesis").scalar() == 1
        assert sa.inspect(conn).get_table_names() == ["thesis"]


def test_if_exists_reuse_replace_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    first = crmlab.simulate(n_customers=80, seed=1, url=url)
    fp = crmlab.fingerprint(first)
    again = crmlab.simulate(n_customers=80, seed=1, url=url)          # same seed+config: reused
    assert not hasattr(again, "row_counts") and crmlab.fingerprint(again) == fp
    with pytest.raises(DatabaseNotEmpty):
        crmlab.simulate(n_customers=80, seed=1, url=url, if_exists="error")
    with pytest.raises(DatabaseNotEmpty):
        crmlab.simulate(n_customers=80, seed=2, url=url, if_exists="reuse")
    other = crmlab.simulate(n_customers=80, seed=2, url=url)           # another seed: rebuilt
    assert crmlab.fingerprint(other) != fp


def _fail_in_funnel(ctx):
    raise RuntimeError("boom in the middle of the build")


def test_failed_build_leaves_no_file_and_keeps_the_old_database(tmp_path, monkeypatch):
    path = tmp_path / "f.db"
    url = f"sqlite:///{path}"
    monkeypatch.setattr(build.funnel, "generate", _fail_in_funnel)
    with pytest.raises(RuntimeError):
        crmlab.simulate(n_customers=60, seed=1, url=url)
    assert not path.exists() and not list(tmp_path.iterdir())
    monkeypatch.undo()
    old = crmlab.simulate(n_customers=60, seed=1, url=url)
    fp = crmlab.fingerprint(old)
    old.close()

    real = build.bulk_insert

    def fail_late(conn, name, columns):
        if name == "order_lines":
            raise RuntimeError("disk full while writing order_lines")
        return real(conn, name, columns)

    monkeypatch.setattr(build, "bulk_insert", fail_late)
    with pytest.raises(RuntimeError, match="disk full"):
        crmlab.simulate(n_customers=60, seed=2, url=url)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.db"]     # no temp file left
    assert crmlab.fingerprint(crmlab.connect(url)) == fp               # the old database is intact


@pytest.mark.postgres
def test_failed_build_on_postgresql_rolls_back(pg_url, monkeypatch):
    real = build.bulk_insert

    def fail_late(conn, name, columns):
        if name == "order_lines":
            raise RuntimeError("connection lost")
        return real(conn, name, columns)

    monkeypatch.setattr(build, "bulk_insert", fail_late)
    with pytest.raises(RuntimeError):
        crmlab.simulate(n_customers=60, seed=2, url=pg_url)
    eng = sa.create_engine(pg_url)
    assert sa.inspect(eng).get_table_names() == []
    eng.dispose()


# ------------------------------------------------------------------ command line
def test_cli_simulate_prints_a_one_line_summary(tmp_path, capsys):
    path = tmp_path / "class.db"
    rc = cli_main(["simulate", "--customers", "200", "--seed", "3", "--url", f"sqlite:///{path}", "--quiet"])
    out = capsys.readouterr().out.strip().splitlines()
    assert rc == 0 and len(out) == 1 and "200 customers" in out[0] and "rows" in out[0]
    assert crmlab.read_table(crmlab.connect(f"sqlite:///{path}"), "customers").shape[0] == 200


def test_cli_reports_bad_options(capsys):
    rc = cli_main(["simulate", "--customers", "-3", "--url", "sqlite://", "--quiet"])
    assert rc == 2 and "n_customers" in capsys.readouterr().err
    rc = cli_main(["simulate", "--option", "bogus_rate=2", "--url", "sqlite://", "--quiet"])
    assert rc == 2


def test_cli_help_is_complete(capsys):
    with pytest.raises(SystemExit):
        cli_main(["simulate", "--help"])
    text = capsys.readouterr().out
    for flag in ("--customers", "--seed", "--url", "--locale", "--if-exists", "--option"):
        assert flag in text
