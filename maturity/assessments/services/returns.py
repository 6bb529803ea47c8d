"""Sign-off: the submitter commits a complete return; a national analyst unlocks it, with a
reason. Both take the return row FOR UPDATE, so they wait for answer saves in flight (which hold
it FOR KEY SHARE) and those wait for them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from maturity.accounts.models import Membership, Role

from ..exceptions import InvalidInput, MissingItems
from ..models import EDITION_CONTENT, Return, ReturnStatus
from ..selectors import can_unlock, missing_items
from ..statemachine import ReturnEvent, next_return_state
from ._common import active, audit_record, now, record_status_change, refresh_state
from .scoring import score_return_and_store


def _locked(return_: Return) -> Return:
    return (
        Return.objects.select_for_update(of=("self",))
        .select_related("cycle__edition", "organisation")
        .defer(EDITION_CONTENT)
        .get(pk=return_.pk)
    )


@transaction.atomic
def return_commit(*, by: Any, return_: Return) -> Return:
    """Sign the return off: submitters only, every mandatory item answered. The return is then
    locked and its scores are computed and stored.

    Raises ``PermissionDenied``, :class:`IllegalTransition` (not in progress, or the cycle is not
    open) or :class:`MissingItems` listing what is unanswered.
    """
    current = _locked(return_)
    is_submitter = (
        active(by)
        and Membership.objects.active()
        .filter(user=by, organisation_id=current.organisation_id, role=Role.SUBMITTER)
        .exists()
    )
    if not is_submitter:
        raise PermissionDenied(
            f"Only a submitter of {current.organisation.name} can commit its return."
        )
    before = current.state
    after = next_return_state(before, ReturnEvent.COMMIT, cycle=current.cycle.status)
    missing = missing_items(current)
    if missing:
        raise MissingItems(missing)
    at = now()
    current.status = ReturnStatus.COMMITTED
    current.committed_at = at
    current.committed_by = by
    current.save(update_fields=["status", "committed_at", "committed_by", "updated_at"])
    record_status_change(return_id=current.pk, from_state=before, to_state=after, by=by, at=at)
    score = score_return_and_store(return_=current)
    refresh_state(return_, status=current.status, committed_at=at, committed_by=by)
    audit_record(
        actor=by,
        action="return.committed",
        target=current,
        organisation=current.organisation_id,
        before={"status": str(before)},
        after={"status": str(after), "score": score.pk, "overall": score.overall},
    )
    _results_changed(current.cycle)
    return current


@transaction.atomic
def return_unlock(*, by: Any, return_: Return, reason: str) -> Return:
    """Reopen a committed return for changes: national analysts only, with a reason. The
    commit, the unlock and every later change stay in the return's history."""
    if not can_unlock(by):
        raise PermissionDenied("Only national analysts can unlock a committed return.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give the reason for unlocking the return.")
    current = _locked(return_)
    before = current.state
    after = next_return_state(before, ReturnEvent.UNLOCK, cycle=current.cycle.status)
    at = now()
    committed = {
        "status": str(before),
        "committed_at": current.committed_at.isoformat() if current.committed_at else None,
        "committed_by": current.committed_by_id,
    }
    current.status = ReturnStatus.IN_PROGRESS
    current.committed_at = None
    current.committed_by = None
    current.save(update_fields=["status", "committed_at", "committed_by", "updated_at"])
    record_status_change(
        return_id=current.pk, from_state=before, to_state=after, by=by, at=at, reason=reason
    )
    refresh_state(return_, status=current.status, committed_at=None, committed_by=None)
    audit_record(
        actor=by,
        action="return.unlocked",
        target=current,
        organisation=current.organisation_id,
        before=committed,
        after={"status": str(after)},
        reason=reason,
    )
    _results_changed(current.cycle)
    return current


def _results_changed(cycle: Any) -> None:
    # The cycle's benchmarks are rebuilt by the worker once this transaction commits.
    from maturity.benchmarks.services import schedule_cycle_snapshot_build

    schedule_cycle_snapshot_build(cycle=cycle)
