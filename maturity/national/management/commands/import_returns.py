"""``maturity import-returns FILE.csv``: a national returns file, validated, all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maturity.national.importer import ImportRefused, import_returns_file


class Command(BaseCommand):
    help = (
        "Import a returns file (ods_code,care_setting,cycle_year,item_id,value): every row is "
        "checked first; any problem and nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--show", type=int, default=200, help="Problems to print at most")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = import_returns_file(options["path"])
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {options['path']}") from error
        except ImportRefused as refused:
            for error in refused.errors[: options["show"]]:
                self.stderr.write(str(error))
            raise CommandError(f"{refused.total} problems found; nothing was imported.") from None
        self.stdout.write(
            f"Imported {summary.answers_created} answers ({summary.returns_created} returns "
            f"created) in {summary.seconds:.2f}s (validation {summary.validate_seconds:.2f}s, "
            f"writing {summary.write_seconds:.2f}s)."
        )
