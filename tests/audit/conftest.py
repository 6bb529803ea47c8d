from __future__ import annotations

import pytest
from django.db import connection, transaction

from maturity.accounts.models import User
from maturity.audit import services


@pytest.fixture
def jane(db) -> User:
    return User.objects.create_user(username="jsmith", first_name="Jane", last_name="Smith")


@pytest.fixture
def append(db, jane):
    """Append n answer.saved records, each in its own (nested) transaction."""

    def _append(n: int = 1, **overrides):
        made = []
        for i in range(n):
            with transaction.atomic():
                arguments = {
                    "actor": jane,
                    "action": "answer.saved",
                    "target": ("assessments.return", "17"),
                    "organisation": 12,
                    "before": {f"item.{i}": "not_met"},
                    "after": {f"item.{i}": "met"},
                } | overrides
                made.append(services.record(**arguments))
        return made

    return _append


def raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def without_guards(db):
    """Drop the triggers, as someone with DDL rights could; the test's rollback restores them."""

    def _drop() -> None:
        if connection.vendor == "postgresql":
            raw("DROP TRIGGER audit_record_append_only ON audit_auditrecord")
            raw("DROP TRIGGER audit_record_no_truncate ON audit_auditrecord")
        else:
            raw("DROP TRIGGER audit_record_no_update")
            raw("DROP TRIGGER audit_record_no_delete")

    return _drop
