"""Load the peer reviewers' calibration cases from maturity/reviews/calibration/*.yaml."""

from __future__ import annotations

from django.core.management import BaseCommand, CommandError

from maturity.reviews.calibration_cases import CalibrationFileError, calibration_cases_sync


class Command(BaseCommand):
    help = "Load (or update) the calibration cases peer reviewers score before reviewing."

    def handle(self, *args, **options):
        try:
            result = calibration_cases_sync()
        except CalibrationFileError as error:
            raise CommandError(f"Calibration cases not loaded:\n{error}") from error
        self.stdout.write(
            f"Calibration cases from {', '.join(result.files)}: {result.created} added, "
            f"{result.updated} updated, {result.retired} retired."
        )
