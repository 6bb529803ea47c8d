"""Reminders before the close date, sent by the task worker, at most once a day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from maturity.accounts.models import Role
from maturity.assessments import services, tasks
from maturity.assessments.models import Cycle, Reminder

from .factories import DATES, answer_everything, person, return_of

pytestmark = pytest.mark.django_db

CLOSE = DATES["closes_on"]
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    settings.TASKS = IMMEDIATE


def _day(days_before: int) -> str:
    return (CLOSE - dt.timedelta(days=days_before)).isoformat()


def _recipients() -> list[tuple[str, ...]]:
    return sorted(tuple(sorted(m.to)) for m in mail.outbox)


@pytest.fixture
def reminders_cycle(cohort, cycle):
    """Alpha has committed its acute return but not its community one; Beta has committed all;
    ICB North A has a submitter; the other organisations have submitters only if made here."""
    alpha = return_of(cycle, cohort.alpha, "acute")
    answer_everything(alpha, cohort.alpha_contributor)
    services.return_commit(by=cohort.alpha_submitter, return_=alpha)
    beta = return_of(cycle, cohort.beta, "acute")
    answer_everything(beta, cohort.beta_contributor)
    services.return_commit(by=cohort.beta_submitter, return_=beta)
    person("qna_submitter", cohort.icb_a, Role.SUBMITTER)
    person("qna_submitter_2", cohort.icb_a, Role.SUBMITTER, email="")  # no email: skipped
    mail.outbox.clear()
    return cycle


@pytest.mark.parametrize("days", [14, 7, 1])
def test_reminders_go_to_submitters_of_organisations_not_yet_committed(
    cohort, reminders_cycle, days
):
    sent = tasks.send_close_reminders.enqueue(reminders_cycle.pk, _day(days)).return_value
    assert sent == 4  # Alpha, Gamma, Delta, ICB North A; Beta has committed everything
    assert _recipients() == [
        ("alpha_submitter@example.nhs.uk",),
        ("delta_submitter@example.nhs.uk",),
        ("gamma_submitter@example.nhs.uk",),
        ("qna_submitter@example.nhs.uk",),
    ]
    alpha = next(m for m in mail.outbox if m.to == ["alpha_submitter@example.nhs.uk"])
    assert alpha.subject == (
        "Reminder: Alpha NHS Trust's digital maturity return is due on 31 January 2027"
    )
    assert "- Community: not started" in alpha.body
    assert "Acute" not in alpha.body  # committed
    assert ("tomorrow" if days == 1 else f"in {days} days") in alpha.body
    assert set(Reminder.objects.values_list("days_before", flat=True)) == {days}


def test_reminders_are_sent_exactly_once_a_day(cohort, reminders_cycle):
    day = _day(7)
    assert tasks.send_close_reminders.enqueue(reminders_cycle.pk, day).return_value == 4
    assert tasks.send_close_reminders.enqueue(reminders_cycle.pk, day).return_value == 0
    assert tasks.send_all_close_reminders.enqueue(day).return_value == 0
    assert len(mail.outbox) == 4
    run = services.close_reminders_send(cycle=reminders_cycle, today=CLOSE - dt.timedelta(days=7))
    # Gamma, Delta, Alpha and ICB North A were reminded; ICB North B has no submitter.
    assert (run.emails, run.already_sent, run.without_submitter) == (0, 4, 2)
    assert Reminder.objects.count() == 4


@pytest.mark.parametrize("days", [15, 13, 8, 6, 2, 0, -1])
def test_no_reminders_on_other_days(cohort, reminders_cycle, days):
    assert tasks.send_close_reminders.enqueue(reminders_cycle.pk, _day(days)).return_value == 0
    assert mail.outbox == [] and not Reminder.objects.exists()


def test_the_three_reminders_over_a_cycle(cohort, reminders_cycle):
    start = CLOSE - dt.timedelta(days=20)
    for offset in range(21):
        day = (start + dt.timedelta(days=offset)).isoformat()
        tasks.send_all_close_reminders.enqueue(day)
        tasks.send_all_close_reminders.enqueue(day)  # the job runs twice some days
    alpha = [m for m in mail.outbox if m.to == ["alpha_submitter@example.nhs.uk"]]
    assert len(alpha) == 3
    assert sorted(
        Reminder.objects.filter(organisation=cohort.alpha).values_list("days_before", flat=True)
    ) == [1, 7, 14]


def test_closed_cycles_send_nothing_and_unknown_cycles_are_ignored(cohort, reminders_cycle):
    Cycle.objects.filter(pk=reminders_cycle.pk).update(status="closed")
    assert tasks.send_close_reminders.enqueue(reminders_cycle.pk, _day(7)).return_value == 0
    assert tasks.send_close_reminders.enqueue(999_999, _day(7)).return_value == 0
    assert mail.outbox == []


def test_the_late_returns_task(cohort, reminders_cycle):
    day_after = (CLOSE + dt.timedelta(days=1)).isoformat()
    assert tasks.mark_late_returns.enqueue(day_after).return_value == 9
    assert tasks.mark_late_returns.enqueue(day_after).return_value == 0


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks
def test_the_worker_sends_reminders_queued_in_the_database(cohort, reminders_cycle, settings):
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = tasks.send_close_reminders.enqueue(reminders_cycle.pk, _day(14))
    assert mail.outbox == []  # queued, not run
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    result.refresh()
    assert result.return_value == 4
    assert len(mail.outbox) == 4


def test_the_daily_command_queues_reminders_and_late_marking(cohort, reminders_cycle):
    from django.core.management import call_command

    call_command("daily", date=_day(7), verbosity=0)
    assert len(mail.outbox) == 4  # the 7-day reminders (tasks run at once in tests)
    call_command("daily", date=_day(7), verbosity=0)
    assert len(mail.outbox) == 4  # not twice in a day
    call_command("daily", date=(CLOSE + dt.timedelta(days=1)).isoformat(), verbosity=0)
    assert reminders_cycle.returns.filter(late=True).count() == 9
