"""A working copy of a CRM database, so exercises can add, change and delete freely.

Running a lab notebook again starts from the same data; the original database (whose
fingerprint identifies the student's dataset) is never touched.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from crmlab.db.engine import Database, make_engine
from crmlab.db.io import sqlite_copy


def working_copy(db: Database, path: str | Path | None = None) -> Database:
    """A fresh copy of a SQLite database (in a temporary folder unless ``path`` is given).

    Other engines (PostgreSQL) are returned unchanged: a class server is the instructor's to reset.

    >>> import crmlab
    >>> db = crmlab.simulate(n_customers=50, seed=1, url="sqlite://")
    >>> work = working_copy(db)
    >>> crmlab.fingerprint(work) == crmlab.fingerprint(db)
    True
    """
    if db.dialect != "sqlite":
        return db
    if path is None:
        path = Path(tempfile.mkdtemp(prefix="crmlab-work-")) / "work.db"
    path = Path(path)
    sqlite_copy(db.engine, path)
    url = f"sqlite:///{path}"
    return Database(url=url, engine=make_engine(url))


__all__ = ["working_copy"]
