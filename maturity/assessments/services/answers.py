"""Saving answers: versioned compare-and-swap, never a silent overwrite; copying last year's.

Every item (criterion, contextual question, ``narrative:<domain id>``) carries a version. A save
names the version its editor saw (None: "I saw no answer"); the row is changed only if it is
still at that version, in one ``UPDATE … WHERE version = expected``. A new answer is inserted
under the (return, item) unique constraint, so two people answering an empty item at once cannot
both succeed. The loser gets :class:`AnswerConflict` with the value now stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from maturity.core.framework.schema import Edition

from ..exceptions import AnswerConflict, InvalidAnswer, InvalidInput
from ..models import EDITION_CONTENT, Answer, AnswerRevision, Return, ReturnStatus
from ..selectors import CONTEXTUAL_SECTION, ItemCatalogue, catalogue_for
from ..statemachine import ReturnEvent, ReturnState, next_return_state
from ._common import (
    LockedReturn,
    audit_record,
    deny_editing,
    lock_return,
    now,
    record_status_change,
    refresh_state,
)


@dataclass(frozen=True)
class AnswerChange:
    item_id: str
    value: Any
    expected_version: int | None


@dataclass
class SaveResult:
    saved: list[Answer] = field(default_factory=list)
    conflicts: list[AnswerConflict] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def _edition(edition_id: str, sha256: str | None = None) -> Edition:
    from maturity.frameworks.selectors import get_edition

    return get_edition(edition_id, sha256=sha256)


def _check_version(expected: Any) -> int | None:
    if expected is None:
        return None
    if isinstance(expected, bool) or not isinstance(expected, int) or expected < 1:
        raise InvalidAnswer("The answer's version must be a whole number of at least 1, or null.")
    return expected


def _open_for_answers(by: Any, return_: Return) -> tuple[LockedReturn, ItemCatalogue]:
    locked = lock_return(return_.pk, by)
    if not locked.has_role:
        raise deny_editing(locked)
    next_return_state(locked.state, ReturnEvent.ANSWER, cycle=locked.cycle_state)
    edition = _edition(locked.edition_id, locked.edition_sha256)
    return locked, catalogue_for(edition, locked.care_setting)


def _start_if_needed(by: Any, return_: Return, locked: LockedReturn) -> None:
    """The first answer moves a return from not started to in progress (once, under races)."""
    if locked.status != ReturnStatus.NOT_STARTED:
        return
    at = now()
    moved = Return.objects.filter(pk=locked.pk, status=ReturnStatus.NOT_STARTED).update(
        status=ReturnStatus.IN_PROGRESS, updated_at=at
    )
    refresh_state(return_, status=ReturnStatus.IN_PROGRESS)
    if moved:
        record_status_change(
            return_id=locked.pk,
            from_state=ReturnState.NOT_STARTED,
            to_state=ReturnState.IN_PROGRESS,
            by=by,
            at=at,
        )


def _apply(
    *, by: Any, return_: Return, changes: list[AnswerChange], raise_first: bool
) -> SaveResult:
    locked, catalogue = _open_for_answers(by, return_)
    result = SaveResult()
    cleaned: dict[str, tuple[Any, int | None]] = {}
    for change in changes:
        try:
            if change.item_id in cleaned:
                raise InvalidAnswer(f"{change.item_id} is changed twice in one save.")
            cleaned[change.item_id] = (
                catalogue.clean(change.item_id, change.value),
                _check_version(change.expected_version),
            )
        except InvalidAnswer as error:
            if raise_first:
                raise
            result.errors[change.item_id] = error.message
    if not cleaned:
        return result

    current = {
        a.item_id: a for a in Answer.objects.filter(return_obj_id=locked.pk, item_id__in=cleaned)
    }
    at = now()
    inserted = _insert_new(by, locked.pk, cleaned, current, at)
    revisions: list[AnswerRevision] = []
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    # A fixed order, so two batch saves on one return never wait on each other's rows in turn.
    for item_id in sorted(cleaned):
        value, expected = cleaned[item_id]
        existing = current.get(item_id)
        try:
            answer = inserted.get(item_id) or _save_one(
                by=by,
                return_id=locked.pk,
                item_id=item_id,
                value=value,
                expected=expected,
                existing=existing,
                at=at,
            )
        except AnswerConflict as conflict:
            if raise_first:
                raise
            result.conflicts.append(conflict)
            continue
        if answer is None:  # the same value as stored: nothing to write
            result.saved.append(existing)
            continue
        result.saved.append(answer)
        old = existing.value if existing is not None else None
        before[item_id] = old
        after[item_id] = value
        revisions.append(
            AnswerRevision(
                answer_id=answer.pk,
                return_obj_id=locked.pk,
                item_id=item_id,
                old_value=old,
                new_value=value,
                version=answer.version,
                by=by,
                at=at,
            )
        )
    if revisions:
        AnswerRevision.objects.bulk_create(revisions)
        _start_if_needed(by, return_, locked)
        audit_record(
            actor=by,
            action="answer.saved",
            target=return_,
            organisation=locked.organisation_id,
            before=before,
            after=after,
        )
    return result


def _insert_new(
    by: Any,
    return_id: int,
    cleaned: dict[str, tuple[Any, int | None]],
    current: dict[str, Answer],
    at: Any,
) -> dict[str, Answer]:
    """Insert several new answers in one statement; if any was inserted by someone else
    meanwhile, insert none here (each is then tried alone, and the clash is a conflict)."""
    new = [
        Answer(
            return_obj_id=return_id,
            item_id=item_id,
            value=value,
            version=1,
            updated_by=by,
            updated_at=at,
        )
        for item_id, (value, expected) in sorted(cleaned.items())
        if expected is None and item_id not in current
    ]
    if len(new) < 2:
        return {}
    try:
        with transaction.atomic():
            Answer.objects.bulk_create(new)
    except IntegrityError:
        return {}
    if any(answer.pk is None for answer in new):  # a backend that does not return ids
        ids = dict(
            Answer.objects.filter(
                return_obj_id=return_id, item_id__in=[a.item_id for a in new]
            ).values_list("item_id", "pk")
        )
        for answer in new:
            answer.pk = ids[answer.item_id]
    return {answer.item_id: answer for answer in new}


def _conflict(
    return_id: int, item_id: str, attempted: Any, existing: Answer | None = None
) -> AnswerConflict:
    if existing is None:
        existing = Answer.objects.filter(return_obj_id=return_id, item_id=item_id).first()
    return AnswerConflict(
        item_id=item_id,
        current_value=existing.value if existing is not None else None,
        current_version=existing.version if existing is not None else None,
        attempted_value=attempted,
    )


def _save_one(
    *,
    by: Any,
    return_id: int,
    item_id: str,
    value: Any,
    expected: int | None,
    existing: Answer | None,
    at: Any,
) -> Answer | None:
    """The saved answer, None if the stored answer already says exactly this, or a conflict."""
    if existing is not None and existing.value == value and not existing.copied_from_previous:
        # Two people choosing the same answer is agreement, not a conflict.
        return None
    if expected is None:
        if existing is not None:
            raise _conflict(return_id, item_id, value, existing)
        answer = Answer(
            return_obj_id=return_id,
            item_id=item_id,
            value=value,
            version=1,
            updated_by=by,
            updated_at=at,
        )
        try:
            with transaction.atomic():
                answer.save(force_insert=True)
        except IntegrityError:
            # Someone inserted the item between our read and our write.
            raise _conflict(return_id, item_id, value) from None
        return answer
    if existing is None or existing.version != expected:
        raise _conflict(return_id, item_id, value, existing)
    changed = Answer.objects.filter(pk=existing.pk, version=expected).update(
        value=value,
        version=F("version") + 1,
        updated_by=by,
        updated_at=at,
        copied_from_previous=False,
    )
    if not changed:
        raise _conflict(return_id, item_id, value)
    return Answer(
        pk=existing.pk,
        return_obj_id=return_id,
        item_id=item_id,
        value=value,
        version=expected + 1,
        updated_by=by,
        updated_at=at,
        copied_from_previous=False,
    )


@transaction.atomic
def answer_save(
    *, by: Any, return_: Return, item_id: str, value: Any, expected_version: int | None
) -> Answer:
    """Save one answer if it is still at ``expected_version`` (None: it has no answer yet).

    Raises :class:`AnswerConflict` (nothing written), :class:`ReturnLocked`,
    :class:`InvalidAnswer`, or ``PermissionDenied`` for anyone but the organisation's
    contributors and submitters. Saving the value already stored changes nothing.
    """
    result = _apply(
        by=by,
        return_=return_,
        changes=[AnswerChange(item_id, value, expected_version)],
        raise_first=True,
    )
    return result.saved[0]


@transaction.atomic
def answers_save(*, by: Any, return_: Return, changes: list[AnswerChange]) -> SaveResult:
    """Save several answers: each valid, current one is saved; conflicts and invalid values are
    reported per item and leave those items as they were."""
    return _apply(by=by, return_=return_, changes=list(changes), raise_first=False)


# --- Copying last year's answers -------------------------------------------------------------


@dataclass(frozen=True)
class CopyResult:
    copied: int
    skipped: int
    #: The return copied from, or None when there is none.
    source: Return | None = None


def previous_return(return_: Return) -> Return | None:
    """The same organisation's return for the same care setting in the latest earlier cycle
    (demonstration returns copy only from demonstration returns, real from real)."""
    return (
        Return.objects.active()
        .filter(
            organisation_id=return_.organisation_id,
            care_setting=return_.care_setting,
            cycle__year__lt=return_.cycle.year,
            cycle__is_demonstration=return_.cycle.is_demonstration,
        )
        .select_related("cycle__edition")
        .defer(EDITION_CONTENT)
        .order_by("-cycle__year", "-cycle_id")
        .first()
    )


def _domain_map(current: Edition, previous_id: str) -> dict[str, str] | None:
    """Current domain id → the comparable domain id in edition ``previous_id``, following the
    editions' ``previous_edition`` chain; None when ``previous_id`` is not on the chain."""
    mapping = {domain.id: domain.id for domain in current.domains}
    edition = current
    for _ in range(10):
        if edition.id == previous_id:
            return mapping
        if edition.previous_edition is None:
            return None
        step = {d.id: d.comparable_with for d in edition.domains if d.comparable_with}
        mapping = {now_id: step[then_id] for now_id, then_id in mapping.items() if then_id in step}
        edition = _edition(edition.previous_edition)
    return None


def _criterion_map(
    catalogue: ItemCatalogue, domains: dict[str, str], previous: Edition
) -> dict[str, str]:
    """Previous criterion id → current criterion id, matched by level and position within the
    comparable domain (a renamed domain keeps its structure when it is comparable)."""
    mapping: dict[str, str] = {}
    for domain in catalogue.domains:
        then_id = domains.get(domain.id)
        if then_id is None or not previous.has_domain(then_id):
            continue
        then = previous.domain(then_id)
        for level in domain.levels:
            try:
                old_level = then.level(level.level)
            except KeyError:
                continue
            for now_c, then_c in zip(level.criteria, old_level.criteria, strict=False):
                if now_c.id.rsplit(".", 1)[1] == then_c.id.rsplit(".", 1)[1]:
                    mapping[then_c.id] = now_c.id
    return mapping


def _copies(
    by: Any,
    return_id: int,
    catalogue: ItemCatalogue,
    criteria: dict[str, str],
    source_answers: list[tuple[str, Any]],
    already: set[str],
    at: Any,
) -> tuple[list[Answer], int]:
    new: list[Answer] = []
    skipped = 0
    taken = set(already)
    for item_id, value in source_answers:
        target = criteria.get(item_id)
        if target is None and item_id in catalogue.questions:
            target = item_id
        if target is None or target in taken:
            skipped += 1
            continue
        try:
            clean = catalogue.clean(target, value)
        except InvalidAnswer:  # an option that no longer exists, say
            skipped += 1
            continue
        taken.add(target)
        new.append(
            Answer(
                return_obj_id=return_id,
                item_id=target,
                value=clean,
                version=1,
                updated_by=by,
                updated_at=at,
                copied_from_previous=True,
            )
        )
    return new, skipped


@transaction.atomic
def previous_answers_copy(*, by: Any, return_: Return) -> CopyResult:
    """Copy last year's criterion answers for comparable domains, and contextual answers to the
    same questions, into items not yet answered. Copies are marked until confirmed."""
    locked, catalogue = _open_for_answers(by, return_)
    source = previous_return(return_)
    if source is None:
        return CopyResult(copied=0, skipped=0, source=None)
    previous_edition = _edition(source.cycle.edition.edition_id)
    domains = _domain_map(catalogue.edition, previous_edition.id) or {}
    criteria = _criterion_map(catalogue, domains, previous_edition)
    at = now()
    source_answers = list(source.answers.values_list("item_id", "value").order_by("item_id"))
    for _attempt in range(3):
        already = set(
            Answer.objects.filter(return_obj_id=locked.pk).values_list("item_id", flat=True)
        )
        new, skipped = _copies(by, locked.pk, catalogue, criteria, source_answers, already, at)
        if not new:
            return CopyResult(copied=0, skipped=skipped, source=source)
        try:
            with transaction.atomic():
                Answer.objects.bulk_create(new)
            break
        except IntegrityError:
            continue  # someone answered one of these items meanwhile: theirs stands, try again
    else:
        raise InvalidInput(
            "Others are answering this return right now: copy last year's answers again."
        )
    if any(a.pk is None for a in new):  # backends that do not return ids
        ids = dict(
            Answer.objects.filter(
                return_obj_id=locked.pk, item_id__in=[a.item_id for a in new]
            ).values_list("item_id", "pk")
        )
        for answer in new:
            answer.pk = ids[answer.item_id]
    AnswerRevision.objects.bulk_create(
        AnswerRevision(
            answer_id=answer.pk,
            return_obj_id=locked.pk,
            item_id=answer.item_id,
            old_value=None,
            new_value=answer.value,
            version=1,
            copied=True,
            by=by,
            at=at,
        )
        for answer in new
    )
    _start_if_needed(by, return_, locked)
    audit_record(
        actor=by,
        action="answer.copied",
        target=return_,
        organisation=locked.organisation_id,
        before=None,
        after={
            "source_return": source.pk,
            "source_year": source.cycle.year,
            "copied": len(new),
            "skipped": skipped,
            "items": {a.item_id: a.value for a in new},
        },
    )
    return CopyResult(copied=len(new), skipped=skipped, source=source)


@transaction.atomic
def copied_answers_confirm(*, by: Any, return_: Return, domain_id: str) -> int:
    """Confirm the copied answers of one domain (or of the contextual questions, with
    ``domain_id="contextual"``) as this year's; returns how many were confirmed."""
    locked, catalogue = _open_for_answers(by, return_)
    if domain_id != CONTEXTUAL_SECTION and not catalogue.has_domain(domain_id):
        raise InvalidInput(f"{domain_id!r} is not a domain of this return.")
    items = catalogue.items_of(domain_id)
    copied = list(
        Answer.objects.filter(
            return_obj_id=locked.pk, item_id__in=items, copied_from_previous=True
        ).values_list("item_id", flat=True)
    )
    if not copied:
        return 0
    # Confirming keeps the value, so the version (which guards values) does not move.
    confirmed = Answer.objects.filter(
        return_obj_id=locked.pk, item_id__in=copied, copied_from_previous=True
    ).update(copied_from_previous=False, updated_by=by, updated_at=now())
    audit_record(
        actor=by,
        action="answer.confirmed",
        target=return_,
        organisation=locked.organisation_id,
        before={"copied": sorted(copied)},
        after={"confirmed": domain_id, "count": confirmed},
    )
    return confirmed
