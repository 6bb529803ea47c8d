"""``maturity generate-demo-returns``: demonstration returns reproducing published 2025 scores."""

from __future__ import annotations

from django.core.management import BaseCommand, CommandError
from django.db import DatabaseError

from maturity.assessments.services import DemonstrationError, generate_demonstration_returns


class Command(BaseCommand):
    help = (
        "Generate a demonstration return for every published 2025 row (trust × care setting, "
        "ICB, ICB primary care), answered so the engine reproduces the published pillar scores. "
        "Deterministic for a seed; running it again creates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2025, help="Random seed (default 2025)")
        parser.add_argument(
            "--edition", default="wgll-2025", help="Framework edition id (default wgll-2025)"
        )

    def handle(self, *args, seed: int, edition: str, **options):
        try:
            summary = generate_demonstration_returns(edition_id=edition, seed=seed)
        except DemonstrationError as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            raise CommandError(
                f"The database is not ready ({exc}). Run `maturity migrate` first."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Demonstration returns ({summary.edition_id}, seed {summary.seed}): "
                f"{summary.returns_created} created, {summary.returns_existing} already there, "
                f"{summary.answers_created} answers, {summary.scores_created} scores, "
                f"in {summary.seconds:.1f} s."
            )
        )
        self.stdout.write(
            f"Published pillar scores reproduced: {summary.pillars_matched} of "
            f"{summary.pillars_checked}."
        )
        for miss in summary.unmatched:
            self.stdout.write(
                self.style.WARNING(
                    f"  not reproduced: {miss.ods_code} {miss.name} ({miss.care_setting}) "
                    f"{miss.pillar}: published {miss.published}, ours {miss.ours} – {miss.reason}"
                )
            )
