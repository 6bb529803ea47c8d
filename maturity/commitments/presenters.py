"""Display helpers: dates as the source gave them, values with units, ratings as words, and the
plain-English sentence that goes with each chart."""

from __future__ import annotations

import datetime as dt

from maturity.charts import format_number
from maturity.core.stats import Trajectory

from .models import Rating

RATING_TAG_CLASSES = {
    Rating.OUTSTANDING: "nhsuk-tag--blue",
    Rating.GOOD: "nhsuk-tag--green",
    Rating.REQUIRES_IMPROVEMENT: "nhsuk-tag--orange",
    Rating.INADEQUATE: "nhsuk-tag--red",
}
UNKNOWN = "Not known"


def long_date(day: dt.date | None) -> str:
    return "" if day is None else f"{day.day} {day:%B %Y}"


def when(day: dt.date | None, label: str = "") -> str:
    """A date as the source gave it: its label when it has one (a month, a year), else in full."""
    if label:
        return label
    return long_date(day) if day else "date not known"


def rating_label(rating: str | None) -> str:
    return Rating(rating).label if rating else UNKNOWN


def rating_tag_class(rating: str | None) -> str:
    return RATING_TAG_CLASSES.get(rating, "nhsuk-tag--grey") if rating else "nhsuk-tag--grey"


def value(number: float | None, unit: str) -> str:
    return "–" if number is None else format_number(number, unit)


def percent(probability: float) -> str:
    return f"{probability:.0%}"


def money(gbp) -> str:
    if gbp is None:
        return ""
    amount = float(gbp)
    if amount >= 1e9:
        return f"£{amount / 1e9:g}bn"
    if amount >= 1e6:
        return f"£{amount / 1e6:g}m"
    return f"£{amount:,.0f}"


def _a(share: float) -> str:
    """The article before a percentage read aloud ("an 80%", "an 11%", "a 90%")."""
    number = round(share * 100)
    return "an" if str(number).startswith("8") or number in (11, 18) else "a"


def trajectory_sentence(
    *,
    name: str,
    unit: str,
    points: list[tuple[dt.date, float, str]],  # (date, value, label) baseline first, no demo
    target: float | None,
    deadline: dt.date | None,
    deadline_label: str,
    trajectory: Trajectory | None,
    as_of: dt.date,
    demonstration_left_out: int = 0,
) -> str:
    """What the chart shows, in a few plain sentences."""
    sentences: list[str] = []
    if not points:
        sentences.append("There are no observations of this metric yet.")
    elif len(points) == 1:
        day, number, label = points[0]
        sentences.append(f"{name} was {value(number, unit)} in {when(day, label)}.")
    else:
        (d0, v0, l0), (d1, v1, l1) = points[0], points[-1]
        verb = "rose" if v1 > v0 else "fell" if v1 < v0 else "stayed at"
        if verb == "stayed at":
            sentences.append(
                f"{name} stayed at {value(v1, unit)} from {when(d0, l0)} to {when(d1, l1)}."
            )
        else:
            sentences.append(
                f"{name} {verb} from {value(v0, unit)} in {when(d0, l0)} to {value(v1, unit)} "
                f"in {when(d1, l1)}."
            )
    if target is not None:
        by = f" by {when(deadline, deadline_label)}" if deadline else ""
        sentences.append(f"The target is {value(target, unit)}{by}.")
        if deadline and deadline < as_of:
            sentences.append("The deadline has passed.")
    if trajectory is not None and deadline is not None:
        at = f"at the deadline ({long_date(deadline)})"
        if trajectory.method == "trajectory_ols_t":
            sentences.append(
                f"The straight-line trend gives {value(trajectory.fitted_at_deadline, unit)} {at}, "
                f"with {_a(trajectory.interval_level)} {trajectory.interval_level:.0%} interval from "
                f"{value(trajectory.lower, unit)} to {value(trajectory.upper, unit)}."
            )
            if trajectory.probability_on_time is not None:
                sentences.append(
                    "The chance of meeting the target on time is "
                    f"{percent(trajectory.probability_on_time)}."
                )
        elif trajectory.method == "two_point_line":
            sentences.append(
                f"The line through the two points gives "
                f"{value(trajectory.fitted_at_deadline, unit)} {at}; two points give no interval "
                "and no chance of meeting the target."
            )
    if demonstration_left_out:
        sentences.append(
            f"{demonstration_left_out} demonstration value(s) are shown but left out of the trend."
        )
    return " ".join(sentences)
