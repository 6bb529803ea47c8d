"""Running a cycle: opening it with its scope and dates, changing the scope, closing it (late
returns), reopening it, and releasing provisional results. National analysts only; the daily
job that closes cycles past their close date acts as the system."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from maturity.accounts.rules import RETURNING_KINDS
from maturity.core.vocab import CareSetting
from maturity.frameworks.models import FrameworkEdition
from maturity.organisations.models import OrganisationCareSetting, OrganisationKind

from ..exceptions import CycleExists, IllegalTransition, InvalidInput
from ..models import (
    EDITION_CONTENT,
    Cycle,
    ProvisionalRelease,
    Return,
    ReturnStatus,
    ReturnStatusChange,
    Score,
)
from ..statemachine import (
    AFTER_CLOSE_STATES,
    CycleState,
    ReturnEvent,
    check_cycle_transition,
    next_return_state,
)
from ._common import audit_record, now, require_national_analyst
from .scoring import score_return_and_store


@dataclass(frozen=True)
class ScopeChange:
    added: int
    withdrawn: int
    restored: int


def _edition_row(edition_id: str) -> FrameworkEdition:
    row = FrameworkEdition.objects.defer("content").filter(edition_id=edition_id).first()
    if row is None:
        raise InvalidInput(f"No framework edition {edition_id!r} is loaded.")
    return row


def _check_scope(edition_id: str, kinds: list[str], settings: list[str]) -> tuple[list, list]:
    from maturity.frameworks.selectors import get_edition

    kinds = list(dict.fromkeys(kinds))
    settings = list(dict.fromkeys(settings))
    if not kinds:
        raise InvalidInput("Choose at least one kind of organisation.")
    if not settings:
        raise InvalidInput("Choose at least one care setting.")
    unknown = [k for k in kinds if k not in OrganisationKind.values or k not in RETURNING_KINDS]
    if unknown:
        raise InvalidInput(
            f"These kinds of organisation do not answer returns: {', '.join(unknown)} "
            f"(choose from {', '.join(sorted(RETURNING_KINDS))})."
        )
    edition = get_edition(edition_id)
    covered = {s.value for s in edition.care_settings_covered()}
    bad = [s for s in settings if s not in {c.value for c in CareSetting} or s not in covered]
    if bad:
        raise InvalidInput(f"The edition {edition_id} has no questions for: {', '.join(bad)}.")
    order = {s.value: i for i, s in enumerate(CareSetting)}
    return sorted(kinds), sorted(settings, key=order.__getitem__)


def _check_dates(dates: dict[str, dt.date]) -> None:
    names = {
        "opens_on": "opening date",
        "closes_on": "close date",
        "review_closes_on": "review close date",
        "provisional_release_on": "provisional release date",
        "publication_on": "publication date",
    }
    for key, label in names.items():
        if not isinstance(dates.get(key), dt.date):
            raise InvalidInput(f"Enter the {label}.")
    order = list(names)
    if not dates["opens_on"] < dates["closes_on"]:
        raise InvalidInput("The close date must be after the opening date.")
    for earlier, later in zip(order[1:], order[2:], strict=False):
        if dates[later] < dates[earlier]:
            raise InvalidInput(f"The {names[later]} cannot be before the {names[earlier]}.")


def scope_pairs(cycle: Cycle) -> set[tuple[int, str]]:
    """(organisation id, care setting) of every return the cycle's scope calls for: organisations
    of the scoped kinds open on the opening day, in each scoped care setting they provide."""
    on = cycle.opens_on or dt.date(cycle.year, 1, 1)
    return set(
        OrganisationCareSetting.objects.filter(
            organisation__kind__in=cycle.scope_organisation_kinds,
            care_setting__in=cycle.scope_care_settings,
        )
        .filter(organisation__in=_open_on(on))
        .values_list("organisation_id", "care_setting")
    )


def _open_on(on: dt.date) -> Any:
    from maturity.organisations.models import Organisation

    return Organisation.objects.open_on(on).values("pk")


def _create_returns(cycle: Cycle, pairs: set[tuple[int, str]]) -> int:
    Return.objects.bulk_create(
        [
            Return(
                cycle=cycle,
                organisation_id=organisation_id,
                care_setting=care_setting,
                is_demonstration=cycle.is_demonstration,
            )
            for organisation_id, care_setting in sorted(pairs)
        ],
        batch_size=1000,
    )
    return len(pairs)


def create_cycle(
    *,
    by: Any,
    year: int,
    edition_id: str,
    title: str,
    organisation_kinds: list[str],
    care_settings: list[str],
    opens_on: dt.date,
    closes_on: dt.date,
    review_closes_on: dt.date,
    provisional_release_on: dt.date,
    publication_on: dt.date,
    is_demonstration: bool,
) -> Cycle:
    """Open a cycle and create its returns; permission is the caller's business."""
    title = (title or "").strip()
    if not title:
        raise InvalidInput("Enter a title for the cycle.")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput("Enter the year as four digits, for example 2026.")
    edition = _edition_row(edition_id)
    if not edition.is_published:
        raise InvalidInput(f"The edition {edition_id} is a draft: cycles use published editions.")
    kinds, settings = _check_scope(edition_id, organisation_kinds, care_settings)
    dates = {
        "opens_on": opens_on,
        "closes_on": closes_on,
        "review_closes_on": review_closes_on,
        "provisional_release_on": provisional_release_on,
        "publication_on": publication_on,
    }
    _check_dates(dates)
    try:
        with transaction.atomic():
            cycle = Cycle.objects.create(
                year=year,
                edition=edition,
                title=title,
                is_demonstration=is_demonstration,
                status=CycleState.OPEN,
                scope_organisation_kinds=kinds,
                scope_care_settings=settings,
                opened_by=by,
                **dates,
            )
    except IntegrityError:
        raise CycleExists(
            f"There is already a {'demonstration ' if is_demonstration else ''}{year} cycle on "
            f"{edition_id}."
        ) from None
    created = _create_returns(cycle, scope_pairs(cycle))
    audit_record(
        actor=by,
        action="cycle.opened",
        target=cycle,
        after={
            "year": year,
            "edition": edition_id,
            "title": title,
            "organisation_kinds": kinds,
            "care_settings": settings,
            **{key: value.isoformat() for key, value in dates.items()},
            "returns": created,
            "is_demonstration": is_demonstration,
        },
    )
    return cycle


@transaction.atomic
def cycle_open(
    *,
    by: Any,
    year: int,
    edition_id: str,
    title: str,
    organisation_kinds: list[str],
    care_settings: list[str],
    opens_on: dt.date,
    closes_on: dt.date,
    review_closes_on: dt.date,
    provisional_release_on: dt.date,
    publication_on: dt.date,
    is_demonstration: bool = False,
) -> Cycle:
    """Open a cycle (national analysts): one return per in-scope organisation × care setting.

    Raises ``PermissionDenied``, :class:`InvalidInput` (dates out of order, a kind or care setting
    outside the edition) or :class:`CycleExists`.
    """
    require_national_analyst(by, "open a cycle")
    return create_cycle(
        by=by,
        year=year,
        edition_id=edition_id,
        title=title,
        organisation_kinds=organisation_kinds,
        care_settings=care_settings,
        opens_on=opens_on,
        closes_on=closes_on,
        review_closes_on=review_closes_on,
        provisional_release_on=provisional_release_on,
        publication_on=publication_on,
        is_demonstration=is_demonstration,
    )


def _locked_cycle(cycle: Cycle) -> Cycle:
    return Cycle.objects.select_for_update().select_related("edition").get(pk=cycle.pk)


@transaction.atomic
def cycle_set_scope(
    *, by: Any, cycle: Cycle, organisation_kinds: list[str], care_settings: list[str]
) -> ScopeChange:
    """Change who answers: new returns for organisations now in scope; returns no longer in
    scope are withdrawn (answers kept) and restored, as they were, if they come back."""
    require_national_analyst(by, "change a cycle's scope")
    current = _locked_cycle(cycle)
    kinds, settings = _check_scope(current.edition.edition_id, organisation_kinds, care_settings)
    before = {
        "organisation_kinds": current.scope_organisation_kinds,
        "care_settings": current.scope_care_settings,
    }
    at = now()
    existing = {
        (r.organisation_id, r.care_setting): r
        for r in Return.objects.select_for_update().filter(cycle=current)
    }
    current.scope_organisation_kinds, current.scope_care_settings = kinds, settings
    wanted = scope_pairs(current)
    to_withdraw = [r for key, r in existing.items() if key not in wanted and not r.is_withdrawn]
    to_restore = [r for key, r in existing.items() if key in wanted and r.is_withdrawn]
    changes = []
    for r in to_withdraw:
        to = next_return_state(r.state, ReturnEvent.WITHDRAW, cycle=current.status)
        changes.append(
            ReturnStatusChange(
                return_obj=r,
                from_status=r.state,
                to_status=to,
                by=by,
                at=at,
                reason="No longer in the cycle's scope",
            )
        )
    for r in to_restore:
        to = next_return_state(r.state, ReturnEvent.RESTORE, cycle=current.status, kept=r.status)
        changes.append(
            ReturnStatusChange(
                return_obj=r,
                from_status=r.state,
                to_status=to,
                by=by,
                at=at,
                reason="Back in the cycle's scope",
            )
        )
    if to_withdraw:
        Return.objects.filter(pk__in=[r.pk for r in to_withdraw]).update(
            withdrawn_at=at, updated_at=at
        )
    if to_restore:
        Return.objects.filter(pk__in=[r.pk for r in to_restore]).update(
            withdrawn_at=None, updated_at=at
        )
    ReturnStatusChange.objects.bulk_create(changes)
    added = _create_returns(current, wanted - set(existing))
    current.save(update_fields=["scope_organisation_kinds", "scope_care_settings"])
    cycle.scope_organisation_kinds, cycle.scope_care_settings = kinds, settings
    result = ScopeChange(added=added, withdrawn=len(to_withdraw), restored=len(to_restore))
    for r, action in [(r, "return.withdrawn") for r in to_withdraw] + [
        (r, "return.restored") for r in to_restore
    ]:
        audit_record(
            actor=by,
            action=action,
            target=r,
            organisation=r.organisation_id,
            before={"state": r.state},
            after={"state": "withdrawn" if action == "return.withdrawn" else r.status},
        )
    audit_record(
        actor=by,
        action="cycle.scope_changed",
        target=current,
        before=before,
        after={
            "organisation_kinds": kinds,
            "care_settings": settings,
            "added": result.added,
            "withdrawn": result.withdrawn,
            "restored": result.restored,
        },
    )
    return result


def _close(cycle: Cycle, *, by: Any, reason: str) -> int:
    """Close an open cycle and mark its uncommitted returns late; returns how many."""
    check_cycle_transition(cycle.status, CycleState.CLOSED)
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleState.CLOSED)
    cycle.status = CycleState.CLOSED
    audit_record(
        actor=by,
        action="cycle.closed",
        target=cycle,
        before={"status": CycleState.OPEN.value},
        after={"status": CycleState.CLOSED.value},
        reason=reason,
    )
    return _mark_late(cycle, by=by)


def _mark_late(cycle: Cycle, *, by: Any) -> int:
    late = list(
        Return.objects.active()
        .select_for_update()
        .filter(cycle=cycle, late=False)
        .exclude(status=ReturnStatus.COMMITTED)
        .order_by("pk")
    )
    for r in late:
        next_return_state(r.state, ReturnEvent.MARK_LATE, cycle=cycle.status)
    Return.objects.filter(pk__in=[r.pk for r in late]).update(late=True, updated_at=now())
    for r in late:
        audit_record(
            actor=by,
            action="return.marked_late",
            target=r,
            organisation=r.organisation_id,
            before={"late": False, "state": r.state},
            after={"late": True, "state": r.state},
            reason=f"Not committed when the cycle closed ({cycle.closes_on}).",
        )
    return len(late)


@transaction.atomic
def cycle_close(*, by: Any, cycle: Cycle) -> int:
    """Close an open cycle now (national analysts): committed returns stay committed, the
    others are marked late. Returns how many were marked late."""
    require_national_analyst(by, "close a cycle")
    current = _locked_cycle(cycle)
    late = _close(current, by=by, reason="Closed by a national analyst.")
    cycle.status = current.status
    return late


@transaction.atomic
def cycle_reopen(*, by: Any, cycle: Cycle, closes_on: dt.date, reason: str) -> Cycle:
    """Reopen a closed cycle with a new close date (national analysts, with a reason), so late
    returns can still be completed and unlocked returns amended. Late marks stay."""
    require_national_analyst(by, "reopen a cycle")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give the reason for reopening the cycle.")
    current = _locked_cycle(cycle)
    check_cycle_transition(current.status, CycleState.OPEN)
    if not isinstance(closes_on, dt.date) or not (
        current.opens_on < closes_on <= current.review_closes_on
    ):
        raise InvalidInput(
            "The new close date must be after the opening date and no later than the review "
            f"close date ({current.review_closes_on:%-d %B %Y})."
        )
    before = {"status": current.status, "closes_on": current.closes_on.isoformat()}
    current.status, current.closes_on = CycleState.OPEN, closes_on
    current.save(update_fields=["status", "closes_on"])
    cycle.status, cycle.closes_on = current.status, closes_on
    audit_record(
        actor=by,
        action="cycle.reopened",
        target=current,
        before=before,
        after={"status": current.status, "closes_on": closes_on.isoformat()},
        reason=reason,
    )
    return current


@transaction.atomic
def mark_late_returns(*, today: dt.date) -> int:
    """The daily job: close open cycles whose close date has passed, and mark every
    uncommitted return of a closed cycle late. Returns how many returns were newly marked."""
    marked = 0
    for cycle in Cycle.objects.select_for_update().filter(
        status=CycleState.OPEN, closes_on__lt=today
    ):
        marked += _close(cycle, by=None, reason=f"The close date ({cycle.closes_on}) has passed.")
    for cycle in Cycle.objects.select_for_update().filter(status__in=AFTER_CLOSE_STATES):
        marked += _mark_late(cycle, by=None)
    return marked


@transaction.atomic
def provisional_release(*, by: Any, cycle: Cycle) -> int:
    """Release each organisation's results to it before publication (national analysts).

    The cycle must be closed. Every committed return gets a stored score if it lacks one;
    returns how many committed returns were released.
    """
    require_national_analyst(by, "release provisional results")
    current = _locked_cycle(cycle)
    if current.status == CycleState.OPEN:
        raise IllegalTransition("Close the cycle before releasing provisional results.")
    check_cycle_transition(current.status, CycleState.PROVISIONAL_RELEASE)
    committed = list(
        Return.objects.active()
        .filter(cycle=current, status=ReturnStatus.COMMITTED)
        .select_related("cycle__edition")
        .defer(EDITION_CONTENT)
    )
    scored = set(
        Score.objects.filter(return_obj__in=committed).values_list("return_obj_id", flat=True)
    )
    for r in committed:
        if r.pk not in scored:
            score_return_and_store(return_=r)
    at = now()
    ProvisionalRelease.objects.create(cycle=current, released_at=at, by=by)
    Cycle.objects.filter(pk=current.pk).update(status=CycleState.PROVISIONAL_RELEASE)
    cycle.status = current.status = CycleState.PROVISIONAL_RELEASE
    audit_record(
        actor=by,
        action="cycle.provisionally_released",
        target=current,
        before={"status": CycleState.CLOSED.value},
        after={"status": CycleState.PROVISIONAL_RELEASE.value, "returns": len(committed)},
    )
    return len(committed)
