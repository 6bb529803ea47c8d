"""``maturity derive-commitment-observations``: recompute observations derived from held data."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maturity.commitments.services import derive_observations
from maturity.organisations.reference import REFERENCE_DIR


class Command(BaseCommand):
    help = (
        "Recompute the observations the service derives itself: the share of trusts with an EPR "
        "(NHS England's supplier extract), virtual ward capacity (monthly statistics) and, per "
        "assessment cycle, the share of trusts whose returns say an EPR is in place. Each "
        "metric's derived observations are replaced as a whole, so a second run changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dir",
            default=str(REFERENCE_DIR),
            help="Folder holding the reference files (default: data/reference).",
        )

    def handle(self, *args, **options) -> None:
        folder = Path(options["dir"])
        if not folder.is_dir():
            raise CommandError(f"{folder}: no such folder")
        summary = derive_observations(reference_dir=folder)
        for metric, count in sorted(summary.written.items()):
            self.stdout.write(f"{metric}: {count} derived observation(s)")
        for derivation, reason in sorted(summary.unavailable.items()):
            self.stderr.write(self.style.WARNING(f"{derivation}: skipped ({reason})"))
        if summary.removed:
            self.stdout.write(
                f"{summary.removed} derived observation(s) no longer supported removed"
            )
        self.stdout.write(self.style.SUCCESS("Derived observations are up to date."))
