"""``maturity seed-support-demo``: demonstration funding plans, case studies and communities."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from maturity.support.seeding import SeedError, seed_support_demo


class Command(BaseCommand):
    help = (
        "Create the demonstration data for targeted support and peer learning: an illustrative "
        "funding programme with three solved scenarios and recorded awards, an earlier "
        "programme's awards (to relate money to the 2024-2025 change in published scores), "
        "and a few case studies, contact opt-ins and community memberships, every one "
        "labelled as demonstration data. Needs the published results and demo sign-ins "
        "(`maturity demo`). Idempotent: a second run adds nothing."
    )

    def handle(self, *args, **options) -> None:
        try:
            summary = seed_support_demo(progress=lambda message: self.stdout.write(message))
        except SeedError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {summary.programmes} programme(s), {summary.scenarios} scenario(s), "
                f"{summary.awards} award(s), {summary.case_studies} case stud(ies), "
                f"{summary.opt_ins} contact opt-in(s) and {summary.memberships} community "
                "membership(s)."
            )
        )
