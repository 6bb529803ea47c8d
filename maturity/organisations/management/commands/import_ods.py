"""``maturity import-ods KIND FILE``: import one ODS file (etr, ect, eccg or epraccur)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from maturity.organisations.importers.errors import ReferenceFileError
from maturity.organisations.services import ODS_KINDS, import_ods_file

from ._common import as_command_error, database_command_error, existing_file, parse_date_option


class Command(BaseCommand):
    help = (
        "Import one ODS file (no header row, 27 columns): etr (NHS trusts), ect (care trusts), "
        "eccg (sub-ICB locations) or epraccur (GP practices). Parents it names must already be "
        "in the registry (run import-reference first)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=ODS_KINDS)
        parser.add_argument("file")
        parser.add_argument("--as-of", help="Date of the data, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--changed-from",
            help="Earliest day a changed parent can have taken effect (default: --as-of).",
        )
        parser.add_argument(
            "--no-links", action="store_true", help="Update organisations only, not their parents."
        )

    def handle(self, *args, **options) -> None:
        as_of = parse_date_option(options["as_of"], "--as-of")
        path = existing_file(options["file"])
        try:
            summary = import_ods_file(
                path=path,
                kind=options["kind"],
                as_of=as_of,
                changed_from=parse_date_option(options["changed_from"], "--changed-from"),
                link_parents=not options["no_links"],
                progress=self.stdout.write if options["verbosity"] >= 1 else None,
            )
        except ReferenceFileError as error:
            raise as_command_error(error) from None
        except DatabaseError as error:
            raise database_command_error(error) from None
        self.stdout.write(self.style.SUCCESS(str(summary)))
