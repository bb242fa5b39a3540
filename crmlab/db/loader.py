"""Parallel bulk loading of a fresh SQLite file while the data are still being generated.

SQLite takes one writer at a time per file, and turning values into rows costs about as much as
SQLite's own work, so a large load is CPU-bound in one process. :class:`ForkLoader` spreads it:

* the producer (the simulator) hands over tables as they become final and goes on generating;
* each batch of tables is written by a forked child process, which sees the producer's arrays as
  they were at the fork (copy-on-write: nothing is serialised or copied up front);
* the first child writes the main file, later ones private scratch files (same schema); each child
  builds the indexes of its own tables;
* a generator step that nothing later depends on can run apart (:meth:`ForkLoader.run_apart`): a
  forked child generates it and writes its tables, and its truths come back at the end;
* at the end the scratch tables are copied into the main file with ``INSERT INTO t SELECT * FROM
  aux.t``, which SQLite runs as a transfer of whole records and index entries, without decoding them;
* with ``chain=True`` (builds in blocks) every batch goes to the main file, one writer after the
  other, and indexes are built once at the end.

The result is the same database, row for row, as a one-process load (the tests compare
fingerprints). Writers use APSW, which binds values with less overhead than the standard library's
``sqlite3`` and ships a newer SQLite (same file format), about 40 % less time per row.
"""
from __future__ import annotations

import multiprocessing as mp
import multiprocessing.connection
import os
import pickle
import shutil
import sqlite3
import sys
from pathlib import Path

import numpy as np

from crmlab.db import schema
from crmlab.db.io import CHUNK_ROWS, _kind, _pylist

#: Pages of the bulk-loaded file: larger pages mean fewer B-tree splits per row and faster index builds.
PAGE_SIZE = 16384
#: A batch of at least this many values (rows × columns) is written at once; smaller ones wait.
BATCH_VALUES = 2_000_000
#: A batch of at least this many values is split between two writers.
SPLIT_VALUES = 6_000_000
#: In a chain, at most this many batches are held (written or waiting) while the producer goes on.
MAX_PENDING = 2


def available() -> bool:
    """Forked writers need ``fork`` (Linux); elsewhere the simulator loads in one process."""
    return sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods()


class LoadError(RuntimeError):
    """A writer process failed; the message names the table and the database's reason."""


def _values(columns: dict) -> int:
    return len(next(iter(columns.values()))) * len(columns) if columns else 0


def _insert(con, name: str, columns: dict[str, np.ndarray]) -> None:
    table = schema.table(name)
    names = list(columns)
    quoted = ", ".join(f'"{c}"' for c in names)
    marks = ", ".join("?" for _ in names)
    kinds = [_kind(table.c[c]) for c in names]
    n = len(columns[names[0]])
    cur = con.cursor()
    for lo in range(0, n, CHUNK_ROWS):
        data = [_pylist(columns[c][lo:lo + CHUNK_ROWS], k, nan_is_null=True) for c, k in zip(names, kinds)]
        cur.executemany(f"INSERT INTO {name} ({quoted}) VALUES ({marks})", zip(*data))


def _open(path: str, pragmas: list[str]):
    import apsw

    con = apsw.Connection(path)
    for p in pragmas:
        con.execute(p)
    return con


def _write(path: str, template: str | None, batch: list[tuple[str, dict]], pragmas: list[str],
           indexes: list[str], errors, after=None) -> None:
    """A writer child: (copy the empty schema,) insert the batch, build its indexes, report.

    ``after``: the sentinel of the writer before it in a chain; the file is opened once that one ended.
    """
    import apsw

    table = None
    try:
        if after is not None:
            mp.connection.wait([after])
        if template is not None:
            shutil.copyfile(template, path)
        con = _open(path, pragmas)
        con.execute("BEGIN")
        for table, columns in batch:
            _insert(con, table, columns)
        table = None
        for stmt in indexes:
            con.execute(stmt)
        con.execute("COMMIT")
        con.close()
    except BaseException as exc:  # noqa: BLE001 - reported to the producer, which raises it
        kind = "IntegrityError" if isinstance(exc, apsw.ConstraintError) else type(exc).__name__
        errors.put((kind, str(exc), table))
        raise SystemExit(1)


def _run_apart(fn, sim, prepare, path: str, template: str, pragmas: list[str], deferred: dict, errors) -> None:
    """A child that runs one generator step on its copy of the context and writes what it made."""
    before = set(sim.truth)
    sim.sink = None
    try:
        fn(sim)
    except BaseException as exc:  # noqa: BLE001 - reported to the producer, which raises it
        errors.put((type(exc).__name__, str(exc), None))
        raise SystemExit(1)
    batch = [(name, prepare(name, cols)) for name, cols in sim.tables.items()]
    tables = [t for t, _ in batch]
    with open(f"{path}.result", "wb") as fh:
        pickle.dump({"tables": tables, "counts": {t: sim.row_counts[t] for t in tables},
                     "truth": {k: v for k, v in sim.truth.items() if k not in before}}, fh)
    _write(path, template, batch, pragmas, [s for t in tables for s in deferred.get(t, [])], errors)


class ForkLoader:
    """Load tables into the SQLite file ``path`` (which must hold the empty schema) with forked writers.

    Parameters
    ----------
    path : path
        The main file, created by :func:`create_schema_file`.
    pragmas : list of str
        Run by every writer first (e.g. ``PRAGMA synchronous = OFF``).
    deferred : dict
        ``{table: [CREATE INDEX ...]}``: indexes left out of the schema, built after each table's rows.

    ``send(table, columns)`` queues prepared column arrays; ``commit()`` marks what was sent as final
    (a batch large enough is written at once); ``finish()`` waits, merges and returns rows per table.
    """

    def __init__(self, path, pragmas: list[str], deferred: dict[str, list[str]] | None = None,
                 chain: bool = False):
        #: chain: every batch goes to the main file, one writer after the other, at most MAX_PENDING
        #: batches held at a time (bounded memory for builds in blocks); indexes are built at the end
        self.chain = chain
        self.path = Path(path)
        self.pragmas = list(pragmas)
        self.deferred = deferred or {}
        self.template = self.path.with_name(self.path.name + ".schema")
        shutil.copyfile(self.path, self.template)
        self.ctx = mp.get_context("fork")
        self.errors = self.ctx.SimpleQueue()
        self.pending: list[tuple[str, dict]] = []
        self.late: list[tuple[str, dict]] = []
        self.jobs: list[tuple[mp.Process, Path, list[str]]] = []
        self.held: dict[int, list] = {}
        #: what steps run apart (``run_apart``) added: truths and row counts, known at ``finish``
        self.apart_truth: dict = {}
        self.apart_counts: dict[str, int] = {}
        self.written: set[str] = set()
        self.main_taken = False
        self.counts: dict[str, int] = {}
        self.closed = False

    # -- producer side ------------------------------------------------------------------------
    def send(self, table: str, columns: dict[str, np.ndarray]) -> None:
        n = len(next(iter(columns.values()))) if columns else 0
        if n == 0:
            return
        self.counts[table] = self.counts.get(table, 0) + n
        # a table already handed to a writer gets its further rows after the merge, in order (a chain
        # writes one batch after the other into the main file, so there they simply follow)
        (self.late if table in self.written and not self.chain else self.pending).append((table, columns))

    def commit(self, force: bool = False) -> None:
        """Write the pending tables now if they are worth a process (or ``force``)."""
        total = sum(_values(c) for _, c in self.pending)
        if not self.pending or (total < BATCH_VALUES and not force):
            return
        groups = [self.pending]
        if total >= SPLIT_VALUES and not self.chain:
            groups = [[], []]
            loads = [0, 0]
            for item in sorted(self.pending, key=lambda it: -_values(it[1])):
                k = int(np.argmin(loads))
                groups[k].append(item)
                loads[k] += _values(item[1])
            # a table's rows stay in one file, in the order they were sent
            owner = {}
            for k, group in enumerate(groups):
                for t, _ in group:
                    owner.setdefault(t, k)
            groups = [[it for it in self.pending if owner[it[0]] == k] for k in (0, 1)]
            # the group with more rows goes first (to the main file if free): fewer rows to copy later
            groups.sort(key=lambda g: -sum(len(next(iter(c.values()))) for _, c in g))
        self.pending = []
        for group in groups:
            if group:
                self._spawn(group)

    def run_apart(self, sim, fn, prepare) -> bool:
        """Run the generator step ``fn(sim)`` in a forked child that also writes its tables (a scratch
        file), so a step that needs nothing from later ones overlaps with everything else. Returns
        False (the caller runs the step itself) in a chain, where batches must stay in order."""
        if self.chain:
            return False
        target = self.path.with_name(f"{self.path.name}.w{len(self.jobs)}")
        proc = self.ctx.Process(target=_run_apart, args=(fn, sim, prepare, str(target), str(self.template),
                                                         self.pragmas, self.deferred, self.errors), daemon=True)
        proc.start()
        self.jobs.append((proc, target, []))
        return True

    def _spawn(self, batch: list[tuple[str, dict]]) -> None:
        for job in self.jobs:                       # release what finished writers held
            if job[0].pid in self.held and job[0].exitcode is not None:
                self._wait(job)
        after = None
        if self.chain:
            while sum(proc.exitcode is None for proc, _, _ in self.jobs) >= MAX_PENDING:
                self._wait(next(job for job in self.jobs if job[0].exitcode is None))
            target, template = self.path, None
            after = self.jobs[-1][0].sentinel if self.jobs else None
        elif self.main_taken:
            target, template = self.path.with_name(f"{self.path.name}.w{len(self.jobs)}"), str(self.template)
        else:
            target, template = self.path, None
            self.main_taken = True
        tables = list(dict.fromkeys(t for t, _ in batch))
        indexes = [] if self.chain else [s for t in tables for s in self.deferred.get(t, [])]
        proc = self.ctx.Process(target=_write, args=(str(target), template, batch, self.pragmas, indexes, self.errors,
                                                     after), daemon=True)
        proc.start()
        self.jobs.append((proc, target, tables))
        self.written.update(tables)
        # the batch stays referenced until its writer is done: dropping it now would touch every
        # object in it (reference counts) and so copy the pages the writer still shares; a chain
        # (builds in blocks) lets go at once, since memory is what it is for
        if not self.chain:
            self.held[proc.pid] = batch

    # -- the end --------------------------------------------------------------------------------
    def finish(self) -> dict[str, int]:
        """Write what is left, wait for every writer, merge the scratch files; returns rows per table."""
        self.commit(force=True)
        try:
            # the main file first; then each scratch file is merged as soon as its writer is done,
            # while the others may still be writing
            main = [job for job in self.jobs if job[1] == self.path]
            rest = [job for job in self.jobs if job[1] != self.path]
            for job in main:                    # a chain writes only the main file: rest is empty
                self._wait(job)
            con = _open(str(self.path), self.pragmas)
            try:
                while rest:
                    sentinels = {proc.sentinel: (proc, target, tables) for proc, target, tables in rest}
                    ready = mp.connection.wait(list(sentinels))
                    for s in ready:
                        job = sentinels[s]
                        rest.remove(job)
                        self._wait(job)
                        self._merge(con, job[1], job[2])
                con.execute("BEGIN")
                for table, columns in self.late:
                    _insert(con, table, columns)
                for table, stmts in self.deferred.items():       # tables that got no rows need them too
                    if table not in self.written or self.chain:
                        for stmt in stmts:
                            con.execute(stmt)
                con.execute("COMMIT")
            finally:
                con.close()
        except BaseException:
            self.abort()
            raise
        self._cleanup()
        self.closed = True
        return dict(self.counts)

    def _wait(self, job) -> None:
        proc = job[0]
        proc.join()
        if proc.exitcode == 0:
            self.held.pop(proc.pid, None)
            result = Path(f"{job[1]}.result")
            if result.exists():                       # a step run apart: what it wrote and found
                with open(result, "rb") as fh:
                    got = pickle.load(fh)
                result.unlink()
                job[2][:] = got["tables"]
                self.written.update(got["tables"])
                self.apart_counts.update(got["counts"])
                self.apart_truth.update(got["truth"])
            return
        error = self.errors.get() if not self.errors.empty() else ("LoadError", "a writer process died", None)
        name, text, table = error
        where = f"writing {table}: " if table else ""
        cls = getattr(sqlite3, name, None)
        if isinstance(cls, type) and issubclass(cls, sqlite3.Error):
            raise cls(where + text)
        raise LoadError(f"{where}{name}: {text}")

    def _merge(self, con, path: Path, tables: list[str]) -> None:
        con.execute("ATTACH DATABASE ? AS aux", (str(path),))
        con.execute("BEGIN")
        for table in tables:
            # the same indexes on both sides, or SQLite would not transfer the records as they are
            for stmt in self.deferred.get(table, []):
                con.execute(stmt)
            con.execute(f'INSERT INTO main."{table}" SELECT * FROM aux."{table}"')
        con.execute("COMMIT")
        con.execute("DETACH DATABASE aux")
        for suffix in ("", "-journal"):
            try:
                os.unlink(f"{path}{suffix}")
            except FileNotFoundError:
                pass

    def abort(self) -> None:
        """Stop the writers without merging (the caller removes the main file)."""
        for proc, _, _ in self.jobs:
            if proc.is_alive():
                proc.terminate()
        for proc, _, _ in self.jobs:
            proc.join()
        self._cleanup()
        self.closed = True

    def _cleanup(self) -> None:
        self.held.clear()
        paths = [self.template] + [target for _, target, _ in self.jobs if target != self.path]
        for path in paths:
            for suffix in ("", "-journal", "-wal", "-shm", ".result"):
                try:
                    os.unlink(f"{path}{suffix}")
                except FileNotFoundError:
                    pass


def create_schema_file(path: Path | str, defer_indexes: bool) -> dict[str, list[str]]:
    """Create crmlab's schema in a new SQLite file; with ``defer_indexes`` leave the secondary indexes
    out and return their DDL per table (to build after the load)."""
    from sqlalchemy.schema import CreateIndex

    from crmlab.db.engine import make_engine

    engine = make_engine(f"sqlite:///{path}")
    deferred: dict[str, list[str]] = {}
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"PRAGMA page_size = {PAGE_SIZE}")
            schema.metadata.create_all(conn)
            if defer_indexes:
                for table in schema.metadata.sorted_tables:
                    for index in table.indexes:
                        conn.exec_driver_sql(f"DROP INDEX {index.name}")
                        deferred.setdefault(table.name, []).append(str(CreateIndex(index).compile(dialect=conn.dialect)))
    finally:
        engine.dispose()
    return deferred


__all__ = ["ForkLoader", "LoadError", "available", "create_schema_file"]
