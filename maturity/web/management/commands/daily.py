"""`maturity daily`: queue the once-a-day jobs for `maturity worker`.

Run it from the platform's scheduler (cron: ``5 6 * * * maturity daily``). Every job is
idempotent for a day, so a second run, or a run after a missed day, does no harm.
"""

from __future__ import annotations

from django.core.management import BaseCommand

from maturity.assessments.tasks import mark_late_returns, send_all_close_reminders
from maturity.reviews.tasks import send_review_reminders

# Late returns are marked before reminders go out, so no reminder is sent for a closed cycle.
DAILY_TASKS = (mark_late_returns, send_all_close_reminders, send_review_reminders)


class Command(BaseCommand):
    help = (
        "Queue the daily jobs (mark late returns, close reminders, review reminders) "
        "for `maturity worker`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as on this day (YYYY-MM-DD); default today")

    def handle(self, *args, date: str | None = None, **options):
        for daily_task in DAILY_TASKS:
            result = daily_task.enqueue(today=date)
            self.stdout.write(f"Queued {daily_task.name} (task {result.id}).")
