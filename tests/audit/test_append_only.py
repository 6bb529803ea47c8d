"""Records cannot be changed or removed: through the ORM, nor by SQL while the triggers stand."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from maturity.audit.guards import guards_installed
from maturity.audit.models import AppendOnlyViolation, AuditRecord

from .conftest import raw


def test_saving_a_stored_record_is_refused(append):
    (made,) = append()
    stored = AuditRecord.objects.get(sequence=made.sequence)
    stored.reason = "tidied up"
    with pytest.raises(AppendOnlyViolation):
        stored.save()
    with pytest.raises(AppendOnlyViolation):
        made.save()
    assert AuditRecord.objects.get(sequence=made.sequence).reason == ""


def test_deleting_a_record_is_refused(append):
    (made,) = append()
    with pytest.raises(AppendOnlyViolation):
        made.delete()
    assert AuditRecord.objects.filter(sequence=made.sequence).exists()


def test_queryset_update_and_delete_are_refused(append):
    append(2)
    with pytest.raises(AppendOnlyViolation):
        AuditRecord.objects.update(reason="x")
    with pytest.raises(AppendOnlyViolation):
        AuditRecord.objects.filter(sequence=1).update(reason="x")
    with pytest.raises(AppendOnlyViolation):
        AuditRecord.objects.all().delete()
    with pytest.raises(AppendOnlyViolation):
        AuditRecord.objects.bulk_update(list(AuditRecord.objects.all()), ["reason"])
    assert AuditRecord.objects.count() == 2
    assert set(AuditRecord.objects.values_list("reason", flat=True)) == {""}


def test_records_cannot_be_created_around_the_service(append):
    (made,) = append()
    forged = AuditRecord(
        sequence=2,
        occurred_at=made.occurred_at,
        actor_label="Mallory",
        action="answer.saved",
        target_type="x.y",
        target_id="1",
        previous_hash=made.hash,
        hash="0" * 64,
    )
    with pytest.raises(AppendOnlyViolation):
        forged.save()
    with pytest.raises(AppendOnlyViolation):
        AuditRecord.objects.create(action="answer.saved", target_type="x.y", target_id="1")
    with pytest.raises(AppendOnlyViolation):
        AuditRecord.objects.bulk_create([forged])
    assert AuditRecord.objects.count() == 1


def test_the_guards_are_installed(db):
    assert guards_installed()


def test_the_database_refuses_an_update(append):
    append(2)
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("UPDATE audit_auditrecord SET reason = 'rewritten' WHERE sequence = 1")
    assert AuditRecord.objects.get(sequence=1).reason == ""


def test_the_database_refuses_a_delete(append):
    append(2)
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM audit_auditrecord WHERE sequence = 2")
    assert AuditRecord.objects.count() == 2


def test_postgresql_refuses_truncate(append):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    append(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("TRUNCATE audit_auditrecord")
    assert AuditRecord.objects.count() == 1


def test_dropping_the_guards_is_noticed(without_guards):
    without_guards()
    assert not guards_installed()


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_database(append):
    append(3)
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert AuditRecord.objects.count() == 0
    # The permission ends with the flush. (The flush removed the user too.)
    append(1, actor=None)
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM audit_auditrecord")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            raw("TRUNCATE audit_auditrecord")
    assert AuditRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_can_still_tear_down(append):
    # pytest-django flushes after this test: that flush must get past the triggers.
    append(2)
    assert AuditRecord.objects.count() == 2
