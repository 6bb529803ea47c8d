"""Input checks shared by the statistics modules (private)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from numbers import Integral, Real


class UndefinedStatisticError(ValueError):
    """The statistic has no value for these data (for example kappa when every rating is equal)."""


def finite(value: object, what: str = "value") -> float:
    """``value`` as a finite float; booleans, non-numbers, NaN and infinities are refused."""
    if isinstance(value, bool) or not isinstance(value, Real | Decimal):
        raise TypeError(f"{what} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return number


def finite_list(values: Iterable[object], what: str = "values") -> list[float]:
    if isinstance(values, str | bytes):
        raise TypeError(f"{what} must be a sequence of numbers, not a string")
    return [finite(value, f"each of the {what}") for value in values]


def whole(value: object, what: str, *, minimum: int | None = None) -> int:
    """``value`` as an int (booleans and floats refused), optionally at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{what} must be a whole number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{what} must be at least {minimum}, got {value!r}")
    return int(value)


def choice(value: object, what: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")
    return str(value)
