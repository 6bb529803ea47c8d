"""``maturity prune-login-attempts``: delete old sign-in attempts (they no longer affect locks)."""

from __future__ import annotations

import datetime as dt

from django.core.management import BaseCommand, CommandError

from maturity.accounts.throttling import prune_attempts


class Command(BaseCommand):
    help = "Delete sign-in attempts older than --days days (default 90)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=90)

    def handle(self, *args, days: int, **options) -> None:
        if days < 1:
            raise CommandError("--days must be at least 1")
        deleted = prune_attempts(older_than=dt.timedelta(days=days))
        self.stdout.write(f"Deleted {deleted} sign-in attempts older than {days} days.")
