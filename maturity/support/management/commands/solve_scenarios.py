"""``maturity solve-scenarios``: solve funding scenarios again, for example after new results."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from maturity.accounts.models import User
from maturity.support import selectors, services
from maturity.support.models import Scenario


class Command(BaseCommand):
    help = (
        "Solve funding scenarios again and store their allocations, binding constraints and "
        "sensitivity, acting as the given national analyst (recorded in the audit trail). "
        "Without --programme or --scenario, every scenario is solved."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--as", dest="username", required=True, help="A national analyst")
        parser.add_argument("--programme", type=int, help="Only this programme's scenarios")
        parser.add_argument("--scenario", type=int, help="Only this scenario")

    def handle(self, *args, username: str, programme: int | None, scenario: int | None, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        scenarios = Scenario.objects.select_related("programme").order_by("programme", "id")
        if programme is not None:
            if selectors.get_programme(programme) is None:
                raise CommandError(f"No funding programme {programme}.")
            scenarios = scenarios.filter(programme_id=programme)
        if scenario is not None:
            scenarios = scenarios.filter(pk=scenario)
            if not scenarios.exists():
                raise CommandError(f"No scenario {scenario}.")
        failures = 0
        for item in scenarios:
            try:
                solved = services.scenario_solve(by=user, scenario=item)
            except ValidationError as error:
                failures += 1
                self.stderr.write(f"{item.name}: {' '.join(error.messages)}")
                continue
            except PermissionDenied as error:
                raise CommandError(f"{username} is not a national analyst.") from error
            outcome = (solved.result or {}).get("outcome") or {}
            self.stdout.write(
                f"{item.programme.name} / {item.name}: {solved.get_status_display()}"
                + (f", {outcome['newly_reached']} more at the core level" if outcome else "")
            )
        if failures:
            raise CommandError(f"{failures} scenario(s) could not be solved.")
