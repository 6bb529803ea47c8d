"""``maturity grant-role USERNAME ROLE ODS_CODE``: give a role from the command line, recorded in
the audit trail as a system action. This is how the first national analyst of a new installation
is made (after ``maturity createsuperuser`` or ``createuser``); after that, analysts use the
People pages or the admin."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError

from maturity.accounts.models import Role, User
from maturity.accounts.services import membership_grant
from maturity.organisations.models import Organisation


class Command(BaseCommand):
    help = (
        "Give USERNAME the role ROLE in the organisation ODS_CODE (E92000001 for national roles)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("ods_code")

    def handle(self, *args, username: str, role: str, ods_code: str, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        organisation = Organisation.objects.filter(ods_code=ods_code.strip().upper()).first()
        if organisation is None:
            raise CommandError(f"No organisation with ODS code {ods_code!r}.")
        try:
            membership = membership_grant(by=None, user=user, organisation=organisation, role=role)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"{username} is {membership.get_role_display()} at {organisation.name}.")
