"""``maturity audit verify``: check the audit chain; ``maturity audit head``: print its head.

``verify`` prints "OK: N records verified", or each problem with the record where it is and exits
with status 1. Pass ``--anchor SEQUENCE:HASH`` (a head noted earlier, outside the database) to
also detect removal or rewriting of the newest records.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maturity.audit.guards import guards_installed
from maturity.audit.verification import DEFAULT_BATCH_SIZE, Anchor, chain_head, verify_chain


def _anchor(text: str) -> Anchor:
    try:
        return Anchor.parse(text)
    except ValueError as error:
        raise CommandError(str(error)) from error


class Command(BaseCommand):
    help = (
        "Audit trail. `verify` checks every record's hash and link, prints each problem with "
        "the record where it is, and exits with status 1 if there is any. `head` prints the "
        "last record as SEQUENCE:HASH, to note outside the database and pass back to "
        "`verify --anchor`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["verify", "head"])
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Records read per batch (default {DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--anchor",
            metavar="SEQUENCE:HASH",
            help="A head printed earlier by `audit head`; verify checks it is still there.",
        )

    def handle(self, *args, subcommand: str, batch_size: int, anchor: str | None, **options):
        if subcommand == "head":
            head = chain_head()
            self.stdout.write(str(head) if head else "The audit trail is empty.")
            return
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        parsed = _anchor(anchor) if anchor else None
        if not guards_installed():
            self.stderr.write(
                "Warning: the database triggers that refuse changes to audit records are "
                "missing or disabled. Reinstall them (migration audit 0002)."
            )
        result = verify_chain(batch_size=batch_size, anchor=parsed)
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"OK: {result.checked} records verified"))
            return
        for problem in result.problems:
            self.stdout.write(str(problem))
        count = len(result.problems)
        raise CommandError(
            f"{count} problem{'s' if count != 1 else ''} found in {result.checked} audit records.",
            returncode=1,
        )
