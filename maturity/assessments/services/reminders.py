"""Reminders before a cycle's close date to the submitters of organisations that have not
committed every return: 14, 7 and 1 days before, at most once a day per organisation.

Run by the task worker (:mod:`maturity.assessments.tasks`). Each organisation's reminder is
recorded (unique per cycle, organisation and day) in the same transaction as it is sent, so a
second run on the same day, or two workers at once, send nothing more.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from maturity.accounts.models import Membership, Role
from maturity.core.vocab import CARE_SETTING_LABELS, CareSetting
from maturity.organisations.models import Organisation

from ..models import Cycle, Reminder, Return, ReturnStatus
from ..statemachine import CycleState

REMINDER_DAYS = (14, 7, 1)


@dataclass(frozen=True)
class ReminderRun:
    cycle_id: int
    today: dt.date
    days_before: int | None  # None: not a reminder day
    organisations: int = 0  # organisations emailed
    emails: int = 0  # messages sent (one per organisation, to all its submitters)
    already_sent: int = 0
    without_submitter: int = 0


def _status_words(status: str) -> str:
    return ReturnStatus(status).label.lower()


def _message(
    organisation: Organisation, cycle: Cycle, days: int, returns: list[tuple[str, str]]
) -> tuple[str, str]:
    due = f"{cycle.closes_on:%-d %B %Y}"
    subject = f"Reminder: {organisation.name}'s digital maturity return is due on {due}"
    lines = "\n".join(
        f"- {CARE_SETTING_LABELS.get(CareSetting(setting), setting)}: {_status_words(status)}"
        for setting, status in sorted(returns)
    )
    when = "tomorrow" if days == 1 else f"in {days} days"
    body = (
        f"{organisation.name}'s returns for the {cycle.title} are due on {due} ({when}).\n\n"
        f"These returns are not committed yet:\n{lines}\n\n"
        "A submitter commits each return once every mandatory item is answered. Sign in to the "
        "Digital Maturity Observatory to finish them.\n\n"
        f"Reminders are sent {', '.join(map(str, REMINDER_DAYS[:-1]))} and "
        f"{REMINDER_DAYS[-1]} day before the close date until every return is committed.\n"
    )
    return subject, body


def close_reminders_send(*, cycle: Cycle, today: dt.date | None = None) -> ReminderRun:
    """Email the submitters of every organisation with an uncommitted return in ``cycle`` if
    ``today`` is 14, 7 or 1 days before its close date. Idempotent for a day."""
    today = today or timezone.localdate()
    cycle = Cycle.objects.get(pk=cycle.pk)
    days = (cycle.closes_on - today).days if cycle.closes_on else None
    if cycle.status != CycleState.OPEN or days not in REMINDER_DAYS:
        return ReminderRun(cycle_id=cycle.pk, today=today, days_before=None)
    pending: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for organisation_id, setting, status in (
        Return.objects.active()
        .filter(cycle=cycle)
        .exclude(status=ReturnStatus.COMMITTED)
        .values_list("organisation_id", "care_setting", "status")
    ):
        pending[organisation_id].append((setting, status))
    recipients: dict[int, list[str]] = defaultdict(list)
    for organisation_id, email in (
        Membership.objects.active()
        .filter(
            organisation_id__in=list(pending),
            role=Role.SUBMITTER,
            user__is_active=True,
        )
        .exclude(user__email="")
        .order_by("organisation_id", "user__email")
        .values_list("organisation_id", "user__email")
    ):
        if email not in recipients[organisation_id]:
            recipients[organisation_id].append(email)
    sent_today = set(
        Reminder.objects.filter(cycle=cycle, sent_on=today).values_list(
            "organisation_id", flat=True
        )
    )
    organisations = Organisation.objects.in_bulk(list(pending))
    emailed = already = without = 0
    for organisation_id in sorted(pending):
        if organisation_id in sent_today:
            already += 1
            continue
        to = recipients.get(organisation_id)
        if not to:
            without += 1
            continue
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    cycle=cycle,
                    organisation_id=organisation_id,
                    sent_on=today,
                    days_before=days,
                    recipients=len(to),
                    sent_at=timezone.now(),
                )
                subject, body = _message(
                    organisations[organisation_id], cycle, days, pending[organisation_id]
                )
                # Sent inside the transaction: if sending fails the record is rolled back and
                # the next run tries again; once recorded, no run sends it twice.
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
        except IntegrityError:  # another worker recorded it first
            already += 1
            continue
        emailed += 1
    return ReminderRun(
        cycle_id=cycle.pk,
        today=today,
        days_before=days,
        organisations=emailed,
        emails=emailed,
        already_sent=already,
        without_submitter=without,
    )
