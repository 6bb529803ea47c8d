"""Background work for peer review (run by `maturity worker`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task


@task()
def send_review_reminders(today: str | None = None) -> list[dict[str, Any]]:
    """Send the review deadline reminders of every cycle whose review is still open."""
    from django.utils import timezone

    from maturity.assessments.models import Cycle

    from .services import review_reminders_send

    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    runs = []
    for cycle in Cycle.objects.filter(review_closes_on__gte=day):
        run = review_reminders_send(cycle=cycle, today=day)
        runs.append({"cycle": cycle.pk, "sent": run.sent, "already_sent": run.already_sent})
    return runs


@task()
def raise_validation_flags(cycle_id: int) -> dict[str, Any]:
    """Recompute a cycle's validation flags as the system."""
    from maturity.assessments.models import Cycle

    from .services import flags_raise

    run = flags_raise(by=None, cycle=Cycle.objects.get(pk=cycle_id))
    return {
        "cycle": cycle_id,
        "raised": run.raised,
        "refreshed": run.refreshed,
        "withdrawn": run.withdrawn,
    }
