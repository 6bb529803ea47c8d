"""The rule that suggests a "met or on track" rating from a commitment's metric and trajectory.

Pure Python: no Django. The panel sees the rule and the branch that applied, and confirms or
overrides the suggestion with a reason; the suggestion never becomes a rating on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

# Probability of meeting the target by the deadline, from the fitted trajectory.
HIGH_CONFIDENCE = 0.95
ON_TRACK = 0.8
AT_RISK = 0.5
# Share of the distance from the baseline to the target covered once the deadline has passed.
MINOR_GAP = 0.9
HALF_WAY = 0.5

SUGGESTION_RULE = (
    "The tracker suggests a rating for 'met or on track' from the commitment's primary metric, "
    "using the baseline and every observation up to today (demonstration data is left out):\n"
    "1. No primary metric with a target: no suggestion.\n"
    "2. No observation yet: no suggestion.\n"
    "3. The latest observation meets the target (at or above it when higher is better, at or "
    "below it when lower is better): Outstanding if an observation met it by the deadline (or "
    "there is no deadline), otherwise Good (met soon after the deadline).\n"
    "4. Not met and the deadline has passed: progress is the share of the distance from the "
    "baseline (or the first observation when there is no baseline) to the target that the latest "
    f"observation covers. Good if progress is at least {MINOR_GAP:.0%} (a minor gap), Requires "
    f"improvement if at least {HALF_WAY:.0%}, Inadequate below that. Without a baseline and with "
    "a single observation: no suggestion.\n"
    "5. Not met and the deadline is still ahead: the probability of meeting the target by the "
    f"deadline from the fitted trajectory. Outstanding if at least {HIGH_CONFIDENCE:.0%} (high "
    f"confidence), Good if at least {ON_TRACK:.0%}, Requires improvement if at least "
    f"{AT_RISK:.0%}, Inadequate below {AT_RISK:.0%}. When the trajectory gives no probability "
    "(fewer than three points, counting the baseline): no suggestion.\n"
    "6. No deadline and the target not met: no suggestion."
)


@dataclass(frozen=True)
class Suggestion:
    rating: str | None  # a CQC word (see models.Rating) or None: no suggestion
    branch: str  # which step of the rule applied, for tests and the page
    explanation: str  # plain English, for the page
    rule: str = SUGGESTION_RULE


def meets(value: float, target: float, direction: str) -> bool:
    return value <= target if direction == "decrease" else value >= target


def progress_share(start: float, latest: float, target: float) -> float | None:
    """How far from ``start`` to ``target`` ``latest`` has come (1 = reached); None if undefined."""
    if target == start:
        return None
    return (latest - start) / (target - start)


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def suggest_met_or_on_track(
    *,
    target: float | None,
    direction: str,
    baseline: float | None,
    deadline: dt.date | None,
    observations: Sequence[tuple[dt.date, float]],
    probability_on_time: float | None,
    as_of: dt.date,
) -> Suggestion:
    """Apply :data:`SUGGESTION_RULE`. ``observations`` need not be sorted; later ones than
    ``as_of`` are ignored."""
    if target is None:
        return Suggestion(None, "no_target", "There is no primary metric with a target.")
    points = sorted((d, v) for d, v in observations if d <= as_of)
    if not points:
        return Suggestion(None, "no_observations", "There is no observation of the metric yet.")
    latest_date, latest = points[-1]

    if meets(latest, target, direction):
        if deadline is None or any(
            d <= deadline and meets(v, target, direction) for d, v in points
        ):
            return Suggestion(
                "outstanding",
                "met_by_deadline",
                f"The target ({target:g}) is met: the latest observation is {latest:g}"
                + (
                    "."
                    if deadline is None
                    else f", and it was met by the deadline ({_day(deadline)})."
                ),
            )
        return Suggestion(
            "good",
            "met_after_deadline",
            f"The target ({target:g}) is met (latest observation {latest:g}) but only after the "
            f"deadline ({_day(deadline)}).",
        )

    if deadline is None:
        return Suggestion(
            None, "no_deadline", "The target is not met and there is no deadline to judge by."
        )

    if as_of > deadline:
        if baseline is not None:
            start, start_name = baseline, "baseline"
        elif len(points) >= 2:
            start, start_name = points[0][1], "first observation"
        else:
            return Suggestion(
                None,
                "deadline_passed_no_start",
                "The deadline has passed without the target being met, but with no baseline and a "
                "single observation progress cannot be measured.",
            )
        share = progress_share(start, latest, target)
        if share is None:
            return Suggestion(
                None,
                "deadline_passed_no_start",
                f"The {start_name} equals the target, so progress cannot be measured.",
            )
        said = (
            f"The deadline ({_day(deadline)}) has passed and the target ({target:g}) is not met: the "
            f"latest observation ({latest:g}) covers {_pct(share)} of the distance from the "
            f"{start_name} ({start:g})."
        )
        if share >= MINOR_GAP:
            return Suggestion("good", "deadline_passed_minor_gap", said)
        if share >= HALF_WAY:
            return Suggestion("requires_improvement", "deadline_passed_part_way", said)
        return Suggestion("inadequate", "deadline_passed_far", said)

    if probability_on_time is None:
        return Suggestion(
            None,
            "no_trajectory",
            "The deadline is ahead but there are too few points (three are needed, counting the "
            "baseline) for the trajectory to give a probability.",
        )
    said = (
        f"The deadline ({_day(deadline)}) is ahead and the fitted trajectory gives a "
        f"{_pct(probability_on_time)} probability of meeting the target ({target:g}) on time."
    )
    if probability_on_time >= HIGH_CONFIDENCE:
        return Suggestion("outstanding", "on_track_high_confidence", said)
    if probability_on_time >= ON_TRACK:
        return Suggestion("good", "on_track", said)
    if probability_on_time >= AT_RISK:
        return Suggestion("requires_improvement", "at_risk", said)
    return Suggestion("inadequate", "off_track", said)
