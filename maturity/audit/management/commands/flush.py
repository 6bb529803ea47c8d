"""Django's ``flush``, allowed to empty the append-only audit table as it empties every other.

This is the one sanctioned way past the audit table's triggers (see maturity/audit/guards.py).
TransactionTestCase and the test fixtures call ``flush`` between tests; in production it would
wipe the whole database anyway.
"""

from __future__ import annotations

from django.core.management.commands.flush import Command as DjangoFlush

from maturity.audit.guards import purge_permitted


class Command(DjangoFlush):
    help = DjangoFlush.help + " The audit trail is emptied too."

    def handle(self, **options):
        with purge_permitted(options["database"]):
            return super().handle(**options)
