"""What the assessment services share: locking a return, permission checks, status records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from maturity.accounts.models import Membership, Role
from maturity.audit import services as audit
from maturity.frameworks.models import FrameworkEdition
from maturity.organisations.models import Organisation

from ..models import Cycle, Return, ReturnStatusChange
from ..selectors import EDITING_ROLES, can_manage_cycles
from ..statemachine import CycleState, ReturnState, return_state


def now() -> dt.datetime:
    return timezone.now()


def active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def require_national_analyst(by: Any, doing: str) -> None:
    if not can_manage_cycles(by):
        raise PermissionDenied(f"Only national analysts can {doing}.")


@dataclass(frozen=True)
class LockedReturn:
    """A return's state as read under a share lock, with whether the actor holds ``roles``."""

    pk: int
    status: str
    withdrawn: bool
    cycle_status: str
    edition_id: str
    edition_sha256: str
    organisation_id: int
    care_setting: str
    has_role: bool

    @property
    def state(self) -> ReturnState:
        return return_state(self.status, withdrawn=self.withdrawn)

    @property
    def cycle_state(self) -> CycleState:
        return CycleState(self.cycle_status)


def lock_return(return_id: int, user: Any, roles: tuple[Role, ...] = EDITING_ROLES) -> LockedReturn:
    """Read a return's state (and the actor's roles in its organisation) in one query.

    On PostgreSQL the row is held FOR KEY SHARE to the end of the transaction: any number of
    answer saves proceed together, while a commit or unlock (FOR UPDATE) waits for them and
    they wait for it, so no answer lands in a return that has just been committed.
    """
    r, c, e, m = (
        connection.ops.quote_name(model._meta.db_table)
        for model in (Return, Cycle, FrameworkEdition, Membership)
    )
    user_id = user.pk if active(user) else None
    sql = (
        f"SELECT r.id, r.status, r.withdrawn_at IS NOT NULL, c.status, e.edition_id, e.sha256, "
        f"r.organisation_id, r.care_setting, "
        f"EXISTS (SELECT 1 FROM {m} m WHERE m.user_id = %s AND m.organisation_id = "
        f"r.organisation_id AND m.revoked_at IS NULL AND m.role IN "
        f"({', '.join(['%s'] * len(roles))})) "
        f"FROM {r} r JOIN {c} c ON c.id = r.cycle_id JOIN {e} e ON e.id = c.edition_id "
        f"WHERE r.id = %s"
    )
    if connection.vendor == "postgresql":
        sql += " FOR KEY SHARE OF r"
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, *[str(role) for role in roles], return_id])
        row = cursor.fetchone()
    if row is None:
        raise Return.DoesNotExist(f"No return {return_id}.")
    return LockedReturn(
        pk=row[0],
        status=row[1],
        withdrawn=bool(row[2]),
        cycle_status=row[3],
        edition_id=row[4],
        edition_sha256=row[5],
        organisation_id=row[6],
        care_setting=row[7],
        has_role=bool(row[8]),
    )


def organisation_name(organisation_id: int) -> str:
    return (
        Organisation.objects.filter(pk=organisation_id).values_list("name", flat=True).first()
        or "this organisation"
    )


def deny_editing(locked: LockedReturn) -> PermissionDenied:
    return PermissionDenied(
        f"Only contributors and submitters of {organisation_name(locked.organisation_id)} can "
        "change its return."
    )


def record_status_change(
    *,
    return_id: int,
    from_state: ReturnState | str,
    to_state: ReturnState | str,
    by: Any,
    at: dt.datetime,
    reason: str = "",
) -> ReturnStatusChange:
    return ReturnStatusChange.objects.create(
        return_obj_id=return_id,
        from_status=str(from_state),
        to_status=str(to_state),
        by=by,
        by_system=by is None,
        at=at,
        reason=reason,
    )


def audit_record(**kwargs: Any) -> Any:
    # Always the last write of a service: appends are serialised from here until commit.
    return audit.record(**kwargs)


def refresh_state(return_: Return, **fields: Any) -> None:
    """Keep the caller's instance in step with what was written."""
    for name, value in fields.items():
        setattr(return_, name, value)
