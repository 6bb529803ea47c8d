"""The database's own refusal to change audit records, and the one sanctioned way round it.

Migration 0002 installs triggers that refuse UPDATE and DELETE on the audit table (and TRUNCATE
on PostgreSQL). They are a guard rail against mistakes and bypassed code, not the evidence:
someone who can drop a trigger can edit the table, and ``maturity audit verify`` still finds the
edit through the hash chain.

``flush`` (used by ``TransactionTestCase`` and the test fixtures to empty every table) is the only
sanctioned exception: this app overrides it to open :func:`purge_permitted` around Django's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditrecord"

# Keep in step with migration 0002_append_only_guards.
POSTGRESQL_TRIGGERS = ("audit_record_append_only", "audit_record_no_truncate")
SQLITE_TRIGGERS = ("audit_record_no_update", "audit_record_no_delete")
SQLITE_PURGE_FUNCTION = "maturity_audit_purge_permitted"
POSTGRESQL_PURGE_SETTING = "maturity.audit_purge"

_PURGE_FLAG = "_maturity_audit_purge_permitted"


def register_sqlite_functions(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Give each SQLite connection the function the DELETE trigger asks.

    A connection opened outside Django (the sqlite3 shell) lacks the function, so a DELETE there
    fails too.
    """
    if connection.vendor != "sqlite":
        return

    def purge_permitted() -> int:
        return 1 if getattr(connection, _PURGE_FLAG, False) else 0

    connection.connection.create_function(SQLITE_PURGE_FUNCTION, 0, purge_permitted)


@contextmanager
def purge_permitted(using: str = "default") -> Iterator[None]:
    """Let this connection empty the audit table for the duration (flush only)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', false)", [POSTGRESQL_PURGE_SETTING])
        try:
            yield
        finally:
            # Best effort: if the flush's transaction failed, rolling it back undoes the setting
            # too; if the connection died, the session (and the setting) died with it.
            if connection.connection is not None:
                with suppress(DatabaseError), connection.cursor() as cursor:
                    cursor.execute("SELECT set_config(%s, '', false)", [POSTGRESQL_PURGE_SETTING])
    else:
        setattr(connection, _PURGE_FLAG, True)
        try:
            yield
        finally:
            setattr(connection, _PURGE_FLAG, False)


def guards_installed(using: str = "default") -> bool:
    """Whether the database still has (and runs) the triggers that refuse changes."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE c.relname = %s AND t.tgname = ANY(%s) AND t.tgenabled <> 'D'",
                [TABLE, list(POSTGRESQL_TRIGGERS)],
            )
            expected = len(POSTGRESQL_TRIGGERS)
        elif connection.vendor == "sqlite":
            placeholders = ", ".join("%s" for _ in SQLITE_TRIGGERS)
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
                f"AND name IN ({placeholders})",
                [TABLE, *SQLITE_TRIGGERS],
            )
            expected = len(SQLITE_TRIGGERS)
        else:
            return False
        return cursor.fetchone()[0] == expected
