"""``maturity link-oidc USERNAME SUBJECT [--issuer ISSUER]``: let an existing account sign in
with OpenID Connect (NHS CIS2), keeping its roles. Matched by the provider's subject (``sub``,
the CIS2 UID), never by email. Recorded in the audit trail as a system action."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError

from maturity.accounts.models import User
from maturity.accounts.services import oidc_identity_link


class Command(BaseCommand):
    help = "Link USERNAME to the person SUBJECT (sub) at the OpenID Connect provider."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("subject")
        parser.add_argument(
            "--issuer", default="", help="the provider's issuer (default: OIDC_ISSUER)"
        )

    def handle(self, *args, username: str, subject: str, issuer: str, **options) -> None:
        issuer = issuer or settings.OIDC_OP_ISSUER
        if not issuer:
            raise CommandError("Give --issuer, or set OIDC_ISSUER.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        try:
            oidc_identity_link(
                by=None, user=user, issuer=issuer, subject=subject, reason="maturity link-oidc"
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"{username} now signs in as {subject} at {issuer}.")
