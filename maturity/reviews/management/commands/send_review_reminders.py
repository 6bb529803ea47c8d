"""Send today's peer review deadline reminders (normally run by the task worker)."""

from __future__ import annotations

import datetime as dt

from django.core.management import BaseCommand, CommandError
from django.utils import timezone

from maturity.assessments.models import Cycle
from maturity.reviews.services import review_reminders_send


class Command(BaseCommand):
    help = "Remind reviewers and reviewed organisations of the review deadline (14, 7, 3, 1 days)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, today: str | None = None, **options):
        try:
            day = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--today must be a date like 2026-03-17, not {today!r}.") from error
        for cycle in Cycle.objects.filter(review_closes_on__gte=day).order_by("pk"):
            run = review_reminders_send(cycle=cycle, today=day)
            self.stdout.write(
                f"{cycle.title}: {run.sent} reminders sent, {run.already_sent} already sent today."
            )
