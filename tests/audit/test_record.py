from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from django.db import connection, transaction

from maturity.accounts.models import User
from maturity.audit.chain import GENESIS_HASH
from maturity.audit.models import AuditRecord, target_key
from maturity.audit.services import AuditOutsideTransaction, record


def independent_hash(stored: AuditRecord) -> str:
    """The documented formula, written out again rather than imported."""
    content = {
        "action": stored.action,
        "actor_id": stored.actor_id,
        "actor_label": stored.actor_label,
        "after": stored.after,
        "before": stored.before,
        "occurred_at": stored.occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "organisation_id": stored.organisation_id,
        "reason": stored.reason,
        "target_id": stored.target_id,
        "target_type": stored.target_type,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((stored.previous_hash + text).encode()).hexdigest()


def test_a_record_keeps_who_did_what_to_what(jane, db):
    with transaction.atomic():
        made = record(
            actor=jane,
            action="return.unlocked",
            target=("assessments.return", 17),
            organisation=12,
            before={"status": "committed"},
            after={"status": "in_progress"},
            reason="Wrong figure in sf.epr",
        )
    stored = AuditRecord.objects.get(sequence=made.sequence)
    assert (stored.sequence, stored.previous_hash) == (1, GENESIS_HASH)
    assert stored.actor == jane and stored.actor_label == "Jane Smith"
    assert (stored.action, stored.target_type, stored.target_id) == (
        "return.unlocked",
        "assessments.return",
        "17",
    )
    assert stored.organisation_id == 12
    assert stored.before == {"status": "committed"} and stored.after == {"status": "in_progress"}
    assert stored.reason == "Wrong figure in sf.epr"
    assert stored.occurred_at.tzinfo is not None


def test_records_form_a_hash_chain(append):
    first, second, third = append(3)
    stored = list(AuditRecord.objects.order_by("sequence"))
    assert [r.sequence for r in stored] == [1, 2, 3]
    assert stored[0].previous_hash == GENESIS_HASH
    assert stored[1].previous_hash == stored[0].hash
    assert stored[2].previous_hash == stored[1].hash
    for r in stored:
        assert r.hash == independent_hash(r)
    assert [first.hash, second.hash, third.hash] == [r.hash for r in stored]


def test_the_hash_survives_storage_of_awkward_json(jane, db):
    with transaction.atomic():
        made = record(
            actor=jane,
            action="answer.saved",
            target=("assessments.return", "1"),
            before={"when": dt.date(2025, 3, 31), "cost": Decimal("12.50"), "big": 1e20},
            after={"share": 0.1, "whole": 3.0, "text": "Zoë’s “notes”\n", "list": (1, 2)},
        )
    stored = AuditRecord.objects.get(sequence=made.sequence)
    assert stored.before["when"] == "2025-03-31" and stored.before["cost"] == "12.50"
    assert stored.after["list"] == [1, 2]
    assert stored.compute_hash() == stored.hash == made.hash


def test_a_model_instance_is_named_by_app_and_model(jane, append):
    (made,) = append(target=jane)
    assert (made.target_type, made.target_id) == ("accounts.user", str(jane.pk))
    assert target_key(jane) == ("accounts.user", str(jane.pk))


@pytest.mark.parametrize(
    "target", [("", 1), ("assessments.return", None), ("assessments.return",), "return:1"]
)
def test_a_malformed_target_is_refused(jane, db, target):
    with transaction.atomic(), pytest.raises((ValueError, TypeError)):
        record(actor=jane, action="answer.saved", target=target)


def test_an_unsaved_target_is_refused(jane, db):
    with transaction.atomic(), pytest.raises(ValueError, match="unsaved"):
        record(actor=jane, action="answer.saved", target=User(username="nobody"))


@pytest.mark.parametrize("action", ["saved", "Answer.Saved", "answer..saved", "answer saved", ""])
def test_actions_are_dotted_lower_case_names(jane, db, action):
    with transaction.atomic(), pytest.raises(ValueError):
        record(actor=jane, action=action, target=("x.y", 1))


def test_a_system_action_has_no_actor(append):
    (made,) = append(actor=None, action="return.marked_late")
    assert made.actor is None and made.actor_label == "System"


def test_the_actor_label_is_kept_after_a_rename(jane, append):
    (made,) = append()
    jane.first_name, jane.last_name = "Jane", "Jones"
    jane.save()
    stored = AuditRecord.objects.get(sequence=made.sequence)
    assert stored.actor_label == "Jane Smith" and stored.actor == jane


def test_a_user_without_a_name_is_labelled_by_username(db, append):
    anon = User.objects.create_user(username="j.doe")
    (made,) = append(actor=anon)
    assert made.actor_label == "j.doe"


def test_before_and_after_must_be_dicts(jane, db):
    with transaction.atomic(), pytest.raises(TypeError):
        record(actor=jane, action="answer.saved", target=("x.y", 1), before=["met"])


def test_rollback_leaves_no_record_and_no_gap(append):
    append(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor=None, action="answer.saved", target=("x.y", 1))
        raise RuntimeError("the change failed after it was audited")
    assert AuditRecord.objects.count() == 2
    (after_rollback,) = append(1)
    assert after_rollback.sequence == 3
    assert after_rollback.previous_hash == AuditRecord.objects.get(sequence=2).hash


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused(jane):
    assert not connection.in_atomic_block
    with pytest.raises(AuditOutsideTransaction):
        record(actor=jane, action="answer.saved", target=("x.y", 1))
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_record_commits_and_rolls_back_with_the_change(jane):
    with transaction.atomic():
        jane.first_name = "Janet"
        jane.save()
        record(actor=jane, action="user.renamed", target=jane, after={"first_name": "Janet"})
    with pytest.raises(RuntimeError), transaction.atomic():
        jane.first_name = "Jan"
        jane.save()
        record(actor=jane, action="user.renamed", target=jane, after={"first_name": "Jan"})
        raise RuntimeError
    jane.refresh_from_db()
    assert jane.first_name == "Janet"
    assert list(AuditRecord.objects.values_list("after", flat=True)) == [{"first_name": "Janet"}]


def test_sqlite_appends_are_serialised_by_immediate_transactions():
    # record() relies on this on SQLite instead of a lock of its own.
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
