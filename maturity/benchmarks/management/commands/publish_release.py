"""``maturity publish-release``: publish a data set's results and benchmarks as a new release."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError

from maturity.benchmarks import definitions as d
from maturity.benchmarks.services import ReleaseError, publish_release


class Command(BaseCommand):
    help = (
        "Publish a new, immutable release version of a data set: CSV and Parquet tables, "
        "datapackage.json and the methods. Provisional first, then final; after a final release "
        "a new version is a correction and needs --note."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", choices=d.SOURCES, required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--stage", choices=["provisional", "final"], required=True)
        parser.add_argument(
            "--note", default="", help="What this version is; required for a correction"
        )
        parser.add_argument(
            "--by",
            default="",
            help="Username of the national analyst publishing (default: the system)",
        )

    def handle(self, *args, source, year, stage, note, by, **options):
        user = None
        if by:
            user = get_user_model().objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"There is no user {by!r}.")
        try:
            release = publish_release(by=user, source=source, year=year, stage=stage, note=note)
        except ReleaseError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Published {release.dataset} version {release.version} ({release.stage}"
                f"{', correction' if release.is_correction else ''}): "
                + ", ".join(f"{name} {rows} rows" for name, rows in release.row_counts.items())
            )
        )
