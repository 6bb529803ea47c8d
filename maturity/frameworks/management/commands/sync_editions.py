"""``maturity sync-editions``: load the framework editions from their YAML files."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maturity.core.framework import EditionError
from maturity.frameworks.services import EDITIONS_DIR, EditionChangeRefused, sync_editions


class Command(BaseCommand):
    help = (
        "Validate every framework edition and store it. Unchanged editions are not rewritten; "
        "a changed published edition is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--editions-dir",
            type=Path,
            default=EDITIONS_DIR,
            help=f"Folder holding one sub-folder per edition (default: {EDITIONS_DIR})",
        )

    def handle(self, *args, editions_dir: Path, **options) -> None:
        try:
            rows = sync_editions(editions_dir=editions_dir)
        except EditionError as error:
            for issue in error.issues:
                self.stderr.write(str(issue))
            raise CommandError(f"{len(error.issues)} problem(s); nothing was stored.") from None
        except EditionChangeRefused as error:
            raise CommandError(str(error)) from None
        for row in rows:
            self.stdout.write(f"{row.sync_outcome:9}  {row.edition_id}  ({row.status})")
        counts = {
            o: sum(r.sync_outcome == o for r in rows) for o in ("created", "updated", "unchanged")
        }
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(rows)} editions: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged."
            )
        )
