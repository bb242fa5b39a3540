"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``$CRMLAB_PG_URL`` (``.ci/run`` starts a server on loopback and sets it).
Without it the PostgreSQL cases skip with a reason; with ``CI=true`` they fail instead, so CI can
never pass while silently skipping the real server.
"""
from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

ENGINES = ["sqlite", "postgresql"]

# Every simulated database built by the tests enforces every CHECK constraint during the load, so
# the suite proves the generator respects the schema (users' builds skip that re-check for speed).
os.environ["CRMLAB_STRICT_LOAD"] = "1"


_TEST_HOME: list[str] = []


def pytest_configure(config):
    # Keep the tests away from the user's own ~/.crmlab.
    if not os.environ.get("CRMLAB_HOME_KEEP"):
        import tempfile

        os.environ["CRMLAB_HOME"] = tempfile.mkdtemp(prefix="crmlab-test-home-")
        _TEST_HOME.append(os.environ["CRMLAB_HOME"])


def pytest_unconfigure(config):
    # Each process (the controller and every xdist worker) removes the home folder it made, so a
    # run leaves no temporary folders behind.
    import shutil

    for path in _TEST_HOME:
        shutil.rmtree(path, ignore_errors=True)


def _pg_admin_url() -> str | None:
    return os.environ.get("CRMLAB_PG_URL")


def _require_pg() -> str:
    url = _pg_admin_url()
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CRMLAB_PG_URL is not set: in CI the PostgreSQL tests must run, not skip")
        pytest.skip("no PostgreSQL server: set CRMLAB_PG_URL=postgresql+psycopg://user:pw@127.0.0.1/db")
    return url


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database (dropped afterwards)."""
    admin = _require_pg()
    name = "crmlab_t_" + uuid.uuid4().hex[:12]
    admin_engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with admin_engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip(f"PostgreSQL at CRMLAB_PG_URL is not usable: {exc}")
    url = sa.engine.make_url(admin).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin_engine.connect() as conn:
        conn.exec_driver_sql(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin_engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path):
    """A fresh SQLite file URL in the test's temporary folder."""
    return f"sqlite:///{tmp_path / 'crm.db'}"


@pytest.fixture(params=ENGINES)
def engine_url(request, tmp_path):
    """A fresh, empty database URL, once per engine (SQLite file, PostgreSQL database)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crm.db'}"
    return request.getfixturevalue("pg_url")
