"""The CRM database (M1): one schema for SQLite and PostgreSQL, connect, read, fingerprint."""
from crmlab.db.engine import Database, connect, default_url, home, make_engine
from crmlab.db.io import bulk_insert, fingerprint, read_table, table_hashes
from crmlab.db.schema import ENUMS, TABLES, metadata

__all__ = ["Database", "connect", "default_url", "home", "make_engine", "bulk_insert", "fingerprint",
           "read_table", "table_hashes", "ENUMS", "TABLES", "metadata"]
