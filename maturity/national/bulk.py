"""Bulk row writing: COPY on PostgreSQL (psycopg 3), batched executemany on SQLite.

Callers run these inside their own transaction, so a failure leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection

SQLITE_BATCH = 20_000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def copy_lines(rows: Iterable[Sequence[Any]]) -> Iterable[str]:
    """COPY text-format lines for rows (tab separated, \\N for NULL, escaped)."""
    for row in rows:
        yield "\t".join(_copy_text(v) for v in row) + "\n"


def insert_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    on_batch: Callable[[int], None] | None = None,
    chunk: int = 50_000,
) -> int:
    """Insert rows into ``table`` as fast as the database allows; returns the count written.

    On PostgreSQL the rows are streamed with ``COPY … FROM STDIN``; on SQLite they are written
    with ``executemany`` in batches. ``on_batch`` is told how many rows each batch held.
    """
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    name = connection.ops.quote_name(table)
    written = 0
    with connection.cursor() as cursor:
        if is_postgres():
            raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
            with raw.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
                buffer: list[str] = []
                for line in copy_lines(rows):
                    buffer.append(line)
                    if len(buffer) >= chunk:
                        copy.write("".join(buffer))
                        written += len(buffer)
                        if on_batch:
                            on_batch(len(buffer))
                        buffer.clear()
                if buffer:
                    copy.write("".join(buffer))
                    written += len(buffer)
                    if on_batch:
                        on_batch(len(buffer))
            return written
        sql = f"INSERT INTO {name} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= SQLITE_BATCH:
                cursor.executemany(sql, batch)
                written += len(batch)
                if on_batch:
                    on_batch(len(batch))
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
            if on_batch:
                on_batch(len(batch))
    return written
