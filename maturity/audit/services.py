"""Writing the audit trail: :func:`record`, called by every service that changes something.

Call it inside the service's own transaction, after the change, so the record commits or rolls
back with it::

    @transaction.atomic
    def return_unlock(*, the_return: Return, by: User, reason: str) -> Return:
        ...
        audit.record(actor=by, action="return.unlocked", target=the_return,
                     organisation=the_return.organisation, before={"status": "committed"},
                     after={"status": "in_progress"}, reason=reason)

Record changes to a return's items against the return, keyed by item id
(``before={"sf.epr.l2.a": "not_met"}``), so the return's audit view is one query and reads
"Jane Smith saved sf.epr.l2.a: not met → met". Call ``record`` late in the transaction: appends
are serialised, so the chain lock is held from the call until commit.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .chain import GENESIS_HASH
from .models import AuditRecord, target_key

# pg_advisory_xact_lock key for appends to the chain (any fixed bigint; "AUDITLOG" in ASCII).
CHAIN_LOCK_KEY = 0x4155_4449_544C_4F47

ACTION_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
SYSTEM_ACTOR_LABEL = "System"


class AuditOutsideTransaction(RuntimeError):
    """``record()`` was called outside a transaction, so the record could outlive a rollback."""


def _json_value(value: dict[str, Any] | None, name: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TypeError(f"Audit {name} must be a dict or None, not {type(value).__name__}.")
    # Stored exactly as it reads back from JSON, so the hash of the stored value is the hash
    # computed now (dates become ISO strings, Decimals strings, tuples lists).
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, allow_nan=False))


def _actor(actor: Any) -> tuple[int | None, str]:
    if actor is None:
        return None, SYSTEM_ACTOR_LABEL
    if getattr(actor, "pk", None) is None:
        raise ValueError("The actor must be a saved user, or None for a system action.")
    label = actor.get_full_name().strip() if hasattr(actor, "get_full_name") else ""
    return actor.pk, label or actor.get_username()


def _organisation_id(organisation: models.Model | int | None) -> int | None:
    if organisation is None:
        return None
    if isinstance(organisation, models.Model):
        if organisation.pk is None:
            raise ValueError("The organisation must be saved.")
        return int(organisation.pk)
    if isinstance(organisation, int) and not isinstance(organisation, bool):
        return organisation
    raise TypeError(f"organisation must be an Organisation, its id or None, not {organisation!r}.")


def _serialise_appends(connection: Any) -> None:
    if connection.vendor == "postgresql":
        # Held to the end of the transaction: the next appender reads this record as the head.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    elif connection.vendor == "sqlite":
        # settings.py opens SQLite transactions with BEGIN IMMEDIATE: one writer at a time.
        pass
    else:
        raise NotImplementedError(f"Audit appends are not serialised on {connection.vendor}.")


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | tuple[str, object],
    organisation: models.Model | int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditRecord:
    """Append one record to the audit chain, inside the caller's transaction.

    ``actor`` is a user, or None for the system. ``target`` is a saved model instance or a
    ``(type, id)`` pair. ``organisation`` (an Organisation or its id) files the record under that
    organisation's view.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction(
            "audit.record() must be called inside the transaction that makes the change "
            "(wrap the service in @transaction.atomic)."
        )
    if not isinstance(action, str) or not ACTION_PATTERN.fullmatch(action) or len(action) > 100:
        raise ValueError(
            f"An audit action is a dotted lower-case name like answer.saved: {action!r}"
        )
    target_type, target_id = target_key(target)
    if len(target_type) > 100 or len(target_id) > 100:
        raise ValueError("An audit target's type and id are at most 100 characters each.")
    actor_id, actor_label = _actor(actor)
    entry = AuditRecord(
        actor_id=actor_id,
        actor_label=actor_label[:300],
        action=action,
        target_type=target_type,
        target_id=target_id,
        organisation_id=_organisation_id(organisation),
        before=_json_value(before, "before"),
        after=_json_value(after, "after"),
        reason=reason or "",
    )

    _serialise_appends(connection)
    head = AuditRecord.objects.order_by("-sequence").values_list("sequence", "hash").first()
    entry.sequence, entry.previous_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    # Taken under the lock, so times never run backwards along the chain on one clock.
    entry.occurred_at = timezone.now()
    entry.hash = entry.compute_hash()
    entry.save()
    return entry
