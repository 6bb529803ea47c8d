"""``maturity import-reference``: import every shipped reference file into the registry."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from maturity.organisations.importers.errors import ReferenceFileError
from maturity.organisations.reference import REFERENCE_DIR
from maturity.organisations.services import import_reference_data

from ._common import as_command_error, database_command_error


class Command(BaseCommand):
    help = (
        "Import the shipped reference data (ODS organisations, ICBs and their 2026 successions, "
        "local authorities, CQC adult social care, dated facts) into the registry. Idempotent: "
        "a second run changes nothing. A bad file imports nothing and is reported by line and "
        "column."
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
        verbose = options["verbosity"] >= 1
        try:
            summary = import_reference_data(
                reference_dir=folder, progress=self.stdout.write if verbose else None
            )
        except ReferenceFileError as error:
            raise as_command_error(error) from None
        except DatabaseError as error:
            raise database_command_error(error) from None
        self.stdout.write(self.style.SUCCESS(str(summary)))
