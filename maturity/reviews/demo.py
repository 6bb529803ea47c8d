"""The peer-review round of the demonstration (called by ``maturity demo`` and by
``maturity run-demo-peer-review --record``).

As the system, on the 2025 demonstration cycle: load the calibration cases, match every committed
return with a reviewing organisation, give a seeded sample a blind second review, and raise the
validation flags. Each step is skipped when already done, so running it again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from maturity.assessments.models import Cycle

from .models import AssignmentKind, AssignmentStatus, PeerReviewAssignment

DEMO_YEAR = 2025


@dataclass(frozen=True)
class DemoRound:
    cycle_id: int
    calibration_cases_added: int
    matched: int
    unmatched: int
    blind_second: int
    flags_raised: int
    flags_open: int


def demo_cycle(pk: int | None = None) -> Cycle | None:
    """The cycle the round runs on: the given one, or the 2025 demonstration cycle."""
    cycles = Cycle.objects.select_related("edition")
    if pk is not None:
        return cycles.filter(pk=pk).first()
    return (
        cycles.filter(year=DEMO_YEAR, is_demonstration=True, returns__isnull=False)
        .distinct()
        .first()
    )


def _current(cycle: Cycle, kind: str) -> int:
    return (
        PeerReviewAssignment.objects.filter(cycle=cycle, kind=kind)
        .exclude(status=AssignmentStatus.REPLACED)
        .count()
    )


def record_demo_round(
    *, cycle: Cycle | None = None, progress: Callable[[str], None] = lambda _msg: None
) -> DemoRound | None:
    """Record the demonstration's peer-review round (module docstring). Returns None when there
    is no demonstration cycle with returns yet."""
    from . import services
    from .calibration_cases import calibration_cases_sync
    from .models import FlagStatus, ValidationFlag

    cycle = cycle or demo_cycle()
    if cycle is None:
        return None
    cases = calibration_cases_sync()
    progress(f"  Calibration cases: {cases.created} added")
    matched = unmatched = 0
    # Only the first call matches: a second run would record an empty matching run.
    if _current(cycle, AssignmentKind.PRIMARY) == 0:
        run = services.matching_run(by=None, cycle=cycle)
        matched, unmatched = run.matched, len(run.unmatched)
        progress(f"  Peer reviewers matched: {matched} returns, {unmatched} unmatched")
    second = 0
    if _current(cycle, AssignmentKind.BLIND_SECOND) == 0 and _current(
        cycle, AssignmentKind.PRIMARY
    ):
        # Seeded by the year, so the demonstration's sample is the same on every machine.
        second = services.blind_sample_assign(by=None, cycle=cycle, seed=cycle.year).matched
        progress(f"  Blind second reviews: {second} returns")
    flags = services.flags_raise(by=None, cycle=cycle)
    open_flags = ValidationFlag.objects.filter(cycle=cycle, status=FlagStatus.OPEN).count()
    progress(f"  Validation flags: {flags.raised} raised, {open_flags} open")
    return DemoRound(
        cycle_id=cycle.pk,
        calibration_cases_added=cases.created,
        matched=matched,
        unmatched=unmatched,
        blind_second=second,
        flags_raised=flags.raised,
        flags_open=open_flags,
    )
