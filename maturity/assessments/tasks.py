"""Background work of the assessment cycle, run by `maturity worker` (django-tasks).

Enqueue once a day (for example from cron: ``maturity shell -c`` or a scheduler):
:func:`send_all_close_reminders` and :func:`mark_late_returns`. Both are idempotent for a day.
Dates are ISO strings so the arguments serialise to JSON; None means today.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from . import services
from .models import Cycle
from .statemachine import CycleState


def _day(today: str | None) -> dt.date:
    return dt.date.fromisoformat(today) if today else timezone.localdate()


@task()
def send_close_reminders(cycle_id: int, today: str | None = None) -> int:
    """Email the submitters of organisations with uncommitted returns 14, 7 and 1 days before
    the cycle closes; returns the number of emails sent (0 on other days, or if already sent)."""
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        return 0
    return services.close_reminders_send(cycle=cycle, today=_day(today)).emails


@task()
def send_all_close_reminders(today: str | None = None) -> int:
    """:func:`send_close_reminders` for every open cycle."""
    day = _day(today)
    return sum(
        services.close_reminders_send(cycle=cycle, today=day).emails
        for cycle in Cycle.objects.filter(status=CycleState.OPEN).order_by("pk")
    )


@task()
def mark_late_returns(today: str | None = None) -> int:
    """Close cycles past their close date and mark their uncommitted returns late."""
    return services.mark_late_returns(today=_day(today))
