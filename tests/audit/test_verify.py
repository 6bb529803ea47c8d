"""verify_chain on the real table, after tampering by raw SQL with the triggers dropped."""

from __future__ import annotations

import pytest
from django.db import connection

from maturity.audit.chain import chain_hash
from maturity.audit.models import AuditRecord
from maturity.audit.verification import Anchor, chain_head, verify_chain

from .conftest import raw

COLUMNS = (
    '"sequence", "occurred_at", "actor_id", "actor_label", "action", "target_type", "target_id", '
    '"organisation_id", "before", "after", "reason", "previous_hash", "hash"'
)


def kinds(result) -> list[tuple[int, str]]:
    return [(p.sequence, p.kind) for p in result.problems]


def shift_up_from(sequence: int) -> None:
    # Two steps, so the primary key never collides mid-statement.
    raw(
        'UPDATE audit_auditrecord SET "sequence" = "sequence" + 1000 WHERE "sequence" >= %s',
        [sequence],
    )
    raw('UPDATE audit_auditrecord SET "sequence" = "sequence" - 999 WHERE "sequence" >= 1000')


def forge(sequence: int, previous_hash: str, *, like: AuditRecord) -> str:
    """Insert a record whose hash is computed correctly from its (chosen) predecessor."""
    content = like.hashed_fields() | {
        "actor_id": None,
        "actor_label": "Mallory",
        "action": "return.committed",
        "before": None,
        "after": None,
        "reason": "",
    }
    forged_hash = chain_hash(previous_hash, content)
    raw(
        f"INSERT INTO audit_auditrecord ({COLUMNS}) "
        "SELECT %s, occurred_at, NULL, 'Mallory', 'return.committed', target_type, target_id, "
        "organisation_id, NULL, NULL, '', %s, %s FROM audit_auditrecord WHERE \"sequence\" = %s",
        [sequence, previous_hash, forged_hash, like.sequence],
    )
    return forged_hash


def test_an_intact_chain_verifies(append):
    append(7)
    result = verify_chain(batch_size=3)
    assert result.ok and result.checked == 7 and result.problems == []
    assert result.head == Anchor(7, AuditRecord.objects.get(sequence=7).hash)


def test_an_empty_chain_verifies(db):
    result = verify_chain()
    assert result.ok and result.checked == 0 and result.head is None


def test_verifying_reads_in_batches_without_a_query_per_record(
    append, django_assert_max_num_queries
):
    append(30)
    with django_assert_max_num_queries(3):
        result = verify_chain(batch_size=7)
    assert result.ok and result.checked == 30


def test_an_edited_field_is_found(append, without_guards):
    append(5)
    without_guards()
    raw("UPDATE audit_auditrecord SET actor_label = 'Someone Else' WHERE \"sequence\" = 2")
    result = verify_chain(batch_size=2)
    assert not result.ok and kinds(result) == [(2, "edited")]


def test_an_edited_json_value_is_found(append, without_guards):
    append(4)
    without_guards()
    raw(
        'UPDATE audit_auditrecord SET "after" = "before" WHERE "sequence" = 3',
    )
    assert kinds(verify_chain()) == [(3, "edited")]


def test_an_edit_with_a_recomputed_hash_is_found(append, without_guards):
    append(5)
    without_guards()
    victim = AuditRecord.objects.get(sequence=3)
    content = victim.hashed_fields() | {"reason": "nothing to see"}
    raw(
        'UPDATE audit_auditrecord SET "reason" = %s, "hash" = %s WHERE "sequence" = 3',
        ["nothing to see", chain_hash(victim.previous_hash, content)],
    )
    assert kinds(verify_chain()) == [(3, "edited")]


def test_a_deleted_record_is_found(append, without_guards):
    append(5)
    without_guards()
    raw('DELETE FROM audit_auditrecord WHERE "sequence" = 3')
    result = verify_chain(batch_size=2)
    assert kinds(result) == [(3, "deleted")] and result.checked == 4


def test_an_inserted_forged_record_is_found(append, without_guards):
    append(5)
    without_guards()
    shift_up_from(3)
    forge(3, "f" * 64, like=AuditRecord.objects.get(sequence=2))
    result = verify_chain(batch_size=2)
    assert kinds(result) == [(3, "inserted")] and result.checked == 6


def test_a_forged_record_linked_to_a_real_one_is_found(append, without_guards):
    if connection.vendor != "postgresql":
        # SQLite keeps the unique constraint inside the table: forking the chain there means
        # rebuilding the table, which the other tests' kinds of tampering already cover.
        pytest.skip("needs ALTER TABLE … DROP CONSTRAINT")
    append(5)
    without_guards()
    # A chain cannot fork while the unique constraint stands; drop that too.
    raw("SET CONSTRAINTS ALL IMMEDIATE")  # settle the deferred foreign-key checks first
    raw("ALTER TABLE audit_auditrecord DROP CONSTRAINT audit_previous_hash_unique")
    shift_up_from(3)
    forge(3, AuditRecord.objects.get(sequence=2).hash, like=AuditRecord.objects.get(sequence=2))
    assert kinds(verify_chain()) == [(3, "inserted")]


def test_reordered_records_are_found(append, without_guards):
    append(6)
    without_guards()
    raw('UPDATE audit_auditrecord SET "sequence" = 1003 WHERE "sequence" = 3')
    raw('UPDATE audit_auditrecord SET "sequence" = 3 WHERE "sequence" = 4')
    raw('UPDATE audit_auditrecord SET "sequence" = 4 WHERE "sequence" = 1003')
    result = verify_chain(batch_size=2)
    assert kinds(result) == [(3, "reordered"), (4, "reordered")]


def test_losing_the_newest_records_needs_an_anchor(append, without_guards):
    append(5)
    anchor = chain_head()
    assert anchor == Anchor(5, AuditRecord.objects.get(sequence=5).hash)
    without_guards()
    raw('DELETE FROM audit_auditrecord WHERE "sequence" >= 4')
    # The rest of the chain is consistent, so only the anchor reveals the loss.
    assert verify_chain().ok
    result = verify_chain(anchor=anchor)
    assert kinds(result) == [(5, "deleted")]
    assert "chain ends at record 3" in result.problems[0].detail


def test_a_rewritten_tail_is_found_by_its_anchor(append, without_guards):
    append(3)
    anchor = chain_head()
    without_guards()
    victim = AuditRecord.objects.get(sequence=3)
    content = victim.hashed_fields() | {"reason": "rewritten"}
    raw(
        'UPDATE audit_auditrecord SET "reason" = %s, "hash" = %s WHERE "sequence" = 3',
        ["rewritten", chain_hash(victim.previous_hash, content)],
    )
    assert verify_chain().ok
    assert kinds(verify_chain(anchor=anchor)) == [(3, "edited")]


def test_an_anchor_still_in_place_passes(append):
    append(3)
    anchor = chain_head()
    append(2)
    assert verify_chain(anchor=anchor).ok


def test_anchors_parse_from_the_printed_form():
    text = "12:" + "ab" * 32
    assert str(Anchor.parse(text)) == text
    for bad in ("12", "0:" + "ab" * 32, "12:xyz", "x:" + "ab" * 32):
        try:
            Anchor.parse(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} parsed")
