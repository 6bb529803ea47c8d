"""``maturity validate-framework PATH``: check an edition folder (or a folder of editions)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maturity.core.framework import validate_folder


class Command(BaseCommand):
    help = (
        "Validate a framework edition folder (edition.yaml + domains/*.yaml), or every edition "
        "in a folder of editions. Prints each problem as FILE: PATH: MESSAGE and exits non-zero "
        "if there is any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="An edition folder or a folder of editions")

    def handle(self, *args, path: Path, **options) -> None:
        issues = validate_folder(path)
        for issue in issues:
            self.stderr.write(str(issue))
        if issues:
            raise CommandError(f"{len(issues)} problem(s) in {path}.")
        self.stdout.write(self.style.SUCCESS(f"{path}: no problems found."))
