"""``maturity import-published-results [PATH]``: import NHS England's DMA data file."""

from __future__ import annotations

from pathlib import Path

from django.core.management import BaseCommand, CommandError
from django.db import DatabaseError

from maturity.results.services import (
    DMA_PATH,
    PublishedResultsImportError,
    import_published_dma,
)


class Command(BaseCommand):
    help = (
        "Import NHS England's Digital Maturity Assessment data file v2 (30 March 2026): 2025 "
        "pillar scores and 2024/2025 overall scores of every trust and ICB, stored as published. "
        "All or nothing; running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            type=Path,
            default=DMA_PATH,
            help=f"The .xlsx data file (default: {DMA_PATH.relative_to(DMA_PATH.parents[3])})",
        )

    def handle(self, *args, path: Path, **options):
        try:
            summary = import_published_dma(path=path)
        except PublishedResultsImportError as exc:
            lines = "\n".join(f"  - {problem}" for problem in exc.problems)
            raise CommandError(
                f"Nothing was imported from {path}: {len(exc.problems)} problem(s):\n{lines}"
            ) from None
        except DatabaseError as exc:
            raise CommandError(
                f"The database is not ready ({exc}). Run `maturity migrate` and import the "
                "organisation registry first."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {path.name}: {summary.provider_rows} secondary care rows "
                f"({summary.trusts} trusts), {summary.icb_rows} ICB rows, "
                f"{summary.primary_care_rows} primary care rows."
            )
        )
        self.stdout.write(
            f"Published results: {summary.created} new, {summary.updated} updated, "
            f"{summary.unchanged} unchanged. Care settings added to the registry: "
            f"{summary.care_settings_added}."
        )
