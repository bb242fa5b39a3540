"""The parallel loader of large builds: the same database as a one-process load, or nothing at all.

Large builds (from ``build.PARALLEL_FROM`` customers) are written by forked writer processes into
scratch files that are merged at the end. Here the thresholds are lowered so a small build takes
every path (a batch split between two writers, scratch files, rows appended after the merge), and
its content is compared with the one-process build of the same seed.
"""
from __future__ import annotations

import sqlite3

import pytest

import crmlab
from crmlab.db import loader
from crmlab.db.io import table_hashes
from crmlab.simulate import build

pytestmark = pytest.mark.skipif(not loader.available(), reason="forked writers need Linux")


def _parallel(monkeypatch, batch=1_000, split=20_000):
    monkeypatch.setattr(build, "PARALLEL_FROM", 0)
    monkeypatch.setattr(loader, "BATCH_VALUES", batch)
    monkeypatch.setattr(loader, "SPLIT_VALUES", split)


def _indexes(path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    finally:
        con.close()


@pytest.mark.parametrize("strict", ["1", "0"])
def test_parallel_build_equals_the_one_process_build(tmp_path, monkeypatch, strict):
    monkeypatch.setenv("CRMLAB_STRICT_LOAD", strict)
    one = crmlab.simulate(n_customers=400, seed=21, url=f"sqlite:///{tmp_path / 'one.db'}")
    spawned = []
    real_spawn = loader.ForkLoader._spawn
    monkeypatch.setattr(loader.ForkLoader, "_spawn", lambda self, batch: (spawned.append(len(batch)),
                                                                          real_spawn(self, batch))[1])
    _parallel(monkeypatch)
    par = crmlab.simulate(n_customers=400, seed=21, url=f"sqlite:///{tmp_path / 'par.db'}")
    assert len(spawned) >= 3                                   # several writers, so scratch files merged
    assert table_hashes(par) == table_hashes(one)
    assert par.row_counts == {t: n for t, n in one.row_counts.items() if n}
    assert _indexes(tmp_path / "par.db") == _indexes(tmp_path / "one.db")
    con = sqlite3.connect(tmp_path / "par.db")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == ["one.db", "par.db"]


def test_rows_sent_after_a_table_was_written_are_appended_in_order(tmp_path):
    path = tmp_path / "t.db"
    deferred = loader.create_schema_file(path, defer_indexes=True)
    w = loader.ForkLoader(path, ["PRAGMA journal_mode = OFF"], deferred)
    w.send("teams", {"team_id": [1, 2], "name": ["a", "b"]})
    w.commit(force=True)
    w.send("teams", {"team_id": [3], "name": ["c"]})
    assert w.finish() == {"teams": 3}
    con = sqlite3.connect(path)
    assert con.execute("SELECT team_id, name FROM teams ORDER BY rowid").fetchall() == [(1, "a"), (2, "b"), (3, "c")]
    con.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.db"]


def test_a_refused_row_names_the_table_and_leaves_no_scratch_file(tmp_path):
    path = tmp_path / "t.db"
    deferred = loader.create_schema_file(path, defer_indexes=True)
    w = loader.ForkLoader(path, [], deferred)
    w.send("teams", {"team_id": [1, 2], "name": ["a", "b"]})
    w.commit(force=True)                                                # the main file
    w.send("customer_categories", {"category_id": [1], "code": ["important"]})   # name_zh missing
    with pytest.raises(sqlite3.IntegrityError, match="writing customer_categories: NOT NULL"):
        w.finish()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.db"]


def test_a_writer_failing_midway_leaves_the_old_database_intact(tmp_path, monkeypatch):
    path = tmp_path / "f.db"
    url = f"sqlite:///{path}"
    old = crmlab.simulate(n_customers=200, seed=1, url=url)
    fp = crmlab.fingerprint(old)
    old.close()
    real = loader._insert

    def disk_full(con, name, columns):
        if name == "order_lines":
            raise OSError("disk full while writing order_lines")
        return real(con, name, columns)

    monkeypatch.setattr(loader, "_insert", disk_full)
    _parallel(monkeypatch)
    with pytest.raises(loader.LoadError, match="writing order_lines: OSError: disk full"):
        crmlab.simulate(n_customers=200, seed=2, url=url)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == ["f.db"]
    assert crmlab.fingerprint(crmlab.connect(url)) == fp


def test_a_step_run_apart_that_fails_names_its_error_and_leaves_nothing(tmp_path, monkeypatch):
    from crmlab.simulate import service

    def broken(ctx):
        raise RuntimeError("boom in the service step")

    monkeypatch.setattr(service, "generate", broken)
    _parallel(monkeypatch)
    with pytest.raises(loader.LoadError, match="RuntimeError: boom in the service step"):
        crmlab.simulate(n_customers=200, seed=3, url=f"sqlite:///{tmp_path / 'x.db'}")
    assert list(tmp_path.iterdir()) == []
