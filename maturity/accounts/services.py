from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from .models import User


@dataclass(frozen=True)
class DemoSignIn:
    username: str
    password: str
    role: str


# Demonstration accounts only: `maturity demo` refuses to create them outside the demo profile.
DEMO_PASSWORD = "demo-observatory-2026"
DEMO_USERS = (DemoSignIn("analyst", DEMO_PASSWORD, "National analyst (admin)"),)


@transaction.atomic
def ensure_demo_users() -> list[DemoSignIn]:
    """Create the demonstration sign-ins if missing; an existing account is left as it is."""
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={"is_staff": True, "is_superuser": demo.role.startswith("National analyst")},
        )
        if created:
            user.set_password(demo.password)
            user.save(update_fields=["password"])
    return list(DEMO_USERS)
