"""Opening a CRM database: the embedded SQLite default or any SQLAlchemy URL (PostgreSQL included).

The default database is the file ``crmlab.db`` in the crmlab home folder: ``$CRMLAB_HOME`` if set,
otherwise ``~/.crmlab``. ``$CRMLAB_DB_URL`` overrides the whole URL.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from crmlab.errors import ConfigError

SQLITE_BUSY_TIMEOUT_MS = 30_000


def home() -> Path:
    """The crmlab home folder (``$CRMLAB_HOME`` or ``~/.crmlab``); created on demand."""
    path = Path(os.environ.get("CRMLAB_HOME") or Path.home() / ".crmlab")
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_url() -> str:
    """``$CRMLAB_DB_URL`` or ``sqlite:///<home>/crmlab.db``."""
    return os.environ.get("CRMLAB_DB_URL") or f"sqlite:///{home() / 'crmlab.db'}"


def _on_sqlite_connect(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cur.close()


def make_engine(url: str) -> sa.Engine:
    """An engine with crmlab's per-connection settings (SQLite: foreign keys on, busy timeout)."""
    try:
        parsed = sa.engine.make_url(url)
    except Exception as exc:  # noqa: BLE001 - any parse failure is a bad option
        raise ConfigError("url", f"is not a database URL ({exc})") from None
    kwargs: dict = {}
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:" and not db.startswith("file:"):
            parent = Path(db).expanduser().resolve().parent
            if not parent.exists():
                raise ConfigError("url", f"folder {parent} does not exist")
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        if not db or db == ":memory:":
            kwargs["poolclass"] = sa.pool.StaticPool
    elif parsed.get_backend_name() == "postgresql":
        kwargs["pool_pre_ping"] = True
        if parsed.drivername == "postgresql":  # plain URL: use psycopg 3, the driver we install
            parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except Exception as exc:  # noqa: BLE001 - e.g. a missing driver
        raise ConfigError("url", f"cannot use {parsed.render_as_string(hide_password=True)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _on_sqlite_connect)
    return engine


@dataclass
class Database:
    """A handle on a CRM database: the engine plus what crmlab knows about it.

    Use :func:`crmlab.read_table` / :meth:`read` for DataFrames and :meth:`sql` for your own
    queries. ``db.url`` is the SQLAlchemy URL (password hidden when printed).
    """

    url: str
    engine: sa.Engine = field(repr=False)

    @property
    def dialect(self) -> str:
        """``'sqlite'`` or ``'postgresql'``."""
        return self.engine.dialect.name

    def read(self, name: str, **kwargs):
        """Same as ``crmlab.read_table(db, name)``."""
        from crmlab.db.io import read_table

        return read_table(self, name, **kwargs)

    def sql(self, query: str, params: dict | None = None):
        """Run a SELECT and return a DataFrame, e.g. ``db.sql("SELECT count(*) AS n FROM orders")``."""
        import pandas as pd

        with self.engine.connect() as conn:
            result = conn.execute(sa.text(query), params or {})
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    def table_names(self) -> list[str]:
        """Names of the tables present in the database."""
        return sa.inspect(self.engine).get_table_names()

    def close(self) -> None:
        """Release the connections (the data stays)."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({sa.engine.make_url(self.url).render_as_string(hide_password=True)!r})"


def connect(url: str | None = None, *, must_exist: bool = True) -> Database:
    """Open an existing CRM database.

    Parameters
    ----------
    url : str, optional
        Any SQLAlchemy URL (``sqlite:///class.db``, ``postgresql+psycopg://user:pw@host/db``).
        ``None`` means the embedded default file (see :func:`default_url`).
    must_exist : bool
        Refuse (``ConfigError``) when the database holds no crmlab tables yet.

    Examples
    --------
    >>> import crmlab
    >>> db = crmlab.simulate(n_customers=50, seed=1, url="sqlite://")
    >>> crmlab.connect(db.url) is not None
    True
    """
    url = url or default_url()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
            present = set(sa.inspect(conn).get_table_names())
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - unreachable server, bad credentials, ...
        engine.dispose()
        raise ConfigError("url", f"cannot connect: {str(exc).splitlines()[0]}") from None
    if must_exist and "crmlab_meta" not in present:
        engine.dispose()
        raise ConfigError("url", "holds no crmlab database yet; build one with crmlab.simulate(url=...)")
    return Database(url=url, engine=engine)
