"""Build the demonstration service: real reference data, framework editions, published results,
demonstration returns and demo sign-ins. Idempotent: a second run changes nothing."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command

from maturity.accounts.models import Role
from maturity.web.demo import build_demo


class Command(BaseCommand):
    help = "Build the embedded database with real reference data and demonstration returns, then serve."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve", action="store_true", help="Build (or bring up to date) without serving."
        )

    def handle(self, *args, no_serve: bool = False, **options):
        if settings.IS_PRODUCTION:
            raise CommandError(
                "`maturity demo` creates demonstration data and sign-ins; it will not run in production."
            )
        started = time.monotonic()
        sign_ins = build_demo(progress=lambda msg: self.stdout.write(f"  {msg}"))
        self.stdout.write(self.style.SUCCESS(f"Demo built in {time.monotonic() - started:.1f} s."))
        self.stdout.write("Demo sign-ins (demonstration only):")
        for s in sign_ins:
            self.stdout.write(
                f"  {Role(s.role).label:30s} username {s.username:12s} password {s.password}"
            )
        if not no_serve:
            call_command("serve")
