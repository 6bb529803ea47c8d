"""Working together on a return: assigning domains, query threads on a domain, and the
organisation's right of reply to its provisional results."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from maturity.accounts.models import Membership

from ..exceptions import IllegalTransition, InvalidInput
from ..models import Assignment, Comment, Return, ReturnStatus, RightOfReply
from ..selectors import EDITING_ROLES, catalogue_of, returns_visible_to
from ..statemachine import CycleState
from ._common import active, audit_record, deny_editing, lock_return, now, organisation_name

MAX_COMMENT_LENGTH = 10_000
MAX_REPLY_LENGTH = 10_000


def _text(value: str, *, what: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"Enter the {what}.")
    if len(value) > limit:
        raise InvalidInput(
            f"The {what} can be at most {limit:,} characters; it has {len(value):,}."
        )
    return value


def _domain(return_: Return, domain_id: str) -> None:
    if not catalogue_of(return_).has_domain(domain_id):
        raise InvalidInput(f"{domain_id!r} is not a domain of this return.")


@transaction.atomic
def domain_assign(
    *, by: Any, return_: Return, domain_id: str, assignee: Any | None
) -> Assignment | None:
    """Give a domain to one of the organisation's contributors or submitters (None: nobody).
    Assignment is for coordination: anyone who may edit the return still may."""
    locked = lock_return(return_.pk, by)
    if not locked.has_role:
        raise deny_editing(locked)
    if locked.withdrawn:
        raise IllegalTransition("The return has been withdrawn from the cycle: it accepts nothing.")
    _domain(return_, domain_id)
    current = (
        Assignment.objects.select_for_update()
        .filter(return_obj_id=locked.pk, domain_id=domain_id)
        .first()
    )
    before = {"domain_id": domain_id, "assignee": current.assignee_id if current else None}
    if assignee is None:
        if current is None:
            return None
        Assignment.objects.filter(pk=current.pk).delete()
        result = None
    else:
        eligible = (
            active(assignee)
            and Membership.objects.active()
            .filter(user=assignee, organisation_id=locked.organisation_id, role__in=EDITING_ROLES)
            .exists()
        )
        if not eligible:
            raise InvalidInput(
                f"{assignee.get_username()} is not a contributor or submitter of "
                f"{organisation_name(locked.organisation_id)}."
            )
        if current is not None and current.assignee_id == assignee.pk:
            return current
        at = now()
        if current is None:
            result = Assignment.objects.create(
                return_obj_id=locked.pk,
                domain_id=domain_id,
                assignee=assignee,
                assigned_by=by,
                assigned_at=at,
            )
        else:
            current.assignee, current.assigned_by, current.assigned_at = assignee, by, at
            current.save(update_fields=["assignee", "assigned_by", "assigned_at"])
            result = current
    audit_record(
        actor=by,
        action="assignment.changed",
        target=return_,
        organisation=locked.organisation_id,
        before=before,
        after={"domain_id": domain_id, "assignee": assignee.pk if assignee else None},
    )
    return result


def _may_see(by: Any, return_: Return) -> None:
    if not returns_visible_to(by).filter(pk=return_.pk).exists():
        raise PermissionDenied("You cannot see this return.")


@transaction.atomic
def comment_add(
    *, by: Any, return_: Return, domain_id: str, body: str, parent: Comment | None = None
) -> Comment:
    """Open a query thread on a domain, or reply to one (``parent``: the thread's first
    comment). Anyone who can see the return may; a withdrawn return takes no comments."""
    _may_see(by, return_)
    if return_.is_withdrawn:
        raise IllegalTransition("The return has been withdrawn from the cycle: it accepts nothing.")
    body = _text(body, what="comment", limit=MAX_COMMENT_LENGTH)
    if parent is not None:
        if parent.return_obj_id != return_.pk or parent.domain_id != domain_id:
            raise InvalidInput("Reply on the thread's own return and domain.")
        if parent.parent_id is not None:
            raise InvalidInput("Reply to the first comment of a thread.")
        if parent.resolved_at is not None:
            raise IllegalTransition("That query is resolved: open a new one.")
    else:
        _domain(return_, domain_id)
    comment = Comment.objects.create(
        return_obj=return_, domain_id=domain_id, author=by, body=body, parent=parent
    )
    audit_record(
        actor=by,
        action="comment.added",
        target=return_,
        organisation=return_.organisation_id,
        after={
            "comment": comment.pk,
            "domain_id": domain_id,
            "parent": parent.pk if parent else None,
            "body": body,
        },
    )
    return comment


@transaction.atomic
def comment_resolve(*, by: Any, comment: Comment) -> Comment:
    """Close a query thread (its first comment). Resolving a resolved thread changes nothing."""
    return_ = comment.return_obj
    _may_see(by, return_)
    if comment.parent_id is not None:
        raise InvalidInput("Resolve the thread from its first comment.")
    current = Comment.objects.select_for_update().get(pk=comment.pk)
    if current.resolved_at is not None:
        return current
    at = now()
    current.resolved_at, current.resolved_by = at, by
    current.save(update_fields=["resolved_at", "resolved_by"])
    comment.resolved_at, comment.resolved_by = at, by
    audit_record(
        actor=by,
        action="comment.resolved",
        target=return_,
        organisation=return_.organisation_id,
        before={"comment": current.pk, "resolved": False},
        after={"comment": current.pk, "resolved": True},
    )
    return current


@transaction.atomic
def right_of_reply_add(*, by: Any, return_: Return, text: str) -> RightOfReply:
    """The organisation's reply to its provisional results (contributors and submitters),
    taken while the cycle's results are provisionally released."""
    locked = lock_return(return_.pk, by)
    if not locked.has_role:
        raise PermissionDenied(
            f"Only contributors and submitters of {organisation_name(locked.organisation_id)} "
            "can reply to its results."
        )
    if locked.cycle_state != CycleState.PROVISIONAL_RELEASE:
        raise IllegalTransition(
            "Replies are taken while the cycle's results are provisionally released."
        )
    if locked.withdrawn or locked.status != ReturnStatus.COMMITTED:
        raise IllegalTransition("Only committed returns have provisional results to reply to.")
    text = _text(text, what="reply", limit=MAX_REPLY_LENGTH)
    reply = RightOfReply.objects.create(return_obj_id=locked.pk, text=text, by=by, at=now())
    audit_record(
        actor=by,
        action="return.reply_added",
        target=return_,
        organisation=locked.organisation_id,
        after={"reply": reply.pk, "text": text},
    )
    return reply
