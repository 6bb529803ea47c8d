"""``maturity import-cqc --format locations|directory FILE``: adult social care locations."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from maturity.organisations.importers.errors import ReferenceFileError
from maturity.organisations.services import CQC_FORMATS, import_cqc_file

from ._common import as_command_error, database_command_error, existing_file, parse_date_option


class Command(BaseCommand):
    help = (
        "Import adult social care locations from a CQC file: --format locations (the 'HSCA "
        "active locations' CSV) or --format directory (the care directory CSV). Only social "
        "care locations are imported; each is placed in an ICB through its local authority."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", required=True, choices=CQC_FORMATS, dest="fmt")
        parser.add_argument("file")
        parser.add_argument("--as-of", help="Date of the data, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options) -> None:
        as_of = parse_date_option(options["as_of"], "--as-of")
        path = existing_file(options["file"])
        try:
            summary = import_cqc_file(
                path=path,
                fmt=options["fmt"],
                as_of=as_of,
                progress=self.stdout.write if options["verbosity"] >= 1 else None,
            )
        except ReferenceFileError as error:
            raise as_command_error(error) from None
        except DatabaseError as error:
            raise database_command_error(error) from None
        self.stdout.write(self.style.SUCCESS(str(summary)))
