"""Rounding rules and exact means used by every scoring model.

Figures are computed unrounded and rounded only for display, by a named rule that is recorded
with the figure:

``half_up_1dp``
    Round to one decimal place, halves away from zero (2.25 -> 2.3, 2.35 -> 2.4, -2.25 -> -2.3).
    This is the rule for WGLL pillar and overall scores.

``half_even_1dp``
    Round to one decimal place, halves to the even neighbour (2.25 -> 2.2, 2.35 -> 2.4,
    2.05 -> 2.0). This is the WHO Global Digital Health Monitor rule.

How ties are decided exactly
    A binary float cannot hold most decimals exactly (2.35 is stored as 2.35000000000000008882),
    and means computed in floating point pick up noise (2.2999999999999998, 0.30000000000000004).
    Rounding therefore works on an exact decimal reading of the value: the float is read through
    its shortest round-trip representation (``repr``), snapped to 9 decimal places to remove
    arithmetic noise, and then rounded exactly. Integers, ``Fraction`` and ``Decimal`` inputs are
    rounded exactly with no snapping. The snapping cannot misjudge a mean of integer scores: a mean
    k/n that is not itself a tie lies at least 1/(20n) from one, far more than 1e-9 for any
    realistic n.

Means are computed with exact rational arithmetic (:func:`exact_mean`), so their value does not
depend on the order of the inputs, and the mean of identical values is that value exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from numbers import Rational

HALF_UP_1DP = "half_up_1dp"
HALF_EVEN_1DP = "half_even_1dp"

# Floats are snapped to this many decimal places before rounding, to remove arithmetic noise.
_SNAP_PLACES = 9
_SNAP_QUANTUM = Decimal(1).scaleb(-_SNAP_PLACES)

Number = int | float | Fraction | Decimal


def to_fraction(value: Number) -> Fraction:
    """The exact rational a value stands for (a float is read through its ``repr``, snapped)."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a score")
    if isinstance(value, Fraction | Rational):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot round a non-finite value ({value})")
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot round a non-finite value ({value})")
        snapped = Decimal(repr(value)).quantize(_SNAP_QUANTUM, rounding=ROUND_HALF_EVEN)
        return Fraction(snapped)
    raise TypeError(f"expected a number, got {type(value).__name__}")


def _round_fraction(value: Fraction, places: int, *, half_even: bool) -> Fraction:
    if not isinstance(places, int) or isinstance(places, bool) or places < 0:
        raise ValueError(f"places must be a non-negative integer, got {places!r}")
    scale = 10**places
    magnitude = abs(value) * scale
    whole = magnitude.numerator // magnitude.denominator
    remainder = magnitude - whole
    half = Fraction(1, 2)
    if remainder > half or (remainder == half and (not half_even or whole % 2 == 1)):
        whole += 1
    result = Fraction(whole, scale)
    return -result if value < 0 else result


def round_half_up_exact(value: Number, places: int = 1) -> Fraction:
    """Exact form of :func:`round_half_up`, returned as a ``Fraction``."""
    return _round_fraction(to_fraction(value), places, half_even=False)


def round_half_even_exact(value: Number, places: int = 1) -> Fraction:
    """Exact form of :func:`round_half_even`, returned as a ``Fraction``."""
    return _round_fraction(to_fraction(value), places, half_even=True)


def round_half_up(value: Number, places: int = 1) -> float:
    """Round to ``places`` decimals, halves away from zero, robust to binary noise.

    >>> round_half_up(2.25), round_half_up(2.35), round_half_up(2.2999999999999998)
    (2.3, 2.4, 2.3)
    """
    return float(round_half_up_exact(value, places))


def round_half_even(value: Number, places: int = 1) -> float:
    """Round to ``places`` decimals, halves to the even neighbour, robust to binary noise.

    >>> round_half_even(2.25), round_half_even(2.35), round_half_even(2.05)
    (2.2, 2.4, 2.0)
    """
    return float(round_half_even_exact(value, places))


def exact_mean(values: Iterable[Number]) -> Fraction:
    """Exact arithmetic mean; raises ``ValueError`` for no values."""
    total = Fraction(0)
    count = 0
    for value in values:
        total += _exact(value)
        count += 1
    if count == 0:
        raise ValueError("the mean of no values is undefined")
    return total / count


def _exact(value: Number) -> Fraction:
    # Means use the float's exact binary value (no snapping): the result is then the correctly
    # rounded mean, and the mean of identical floats is that float exactly.
    if isinstance(value, bool):
        raise TypeError("a boolean is not a score")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot average a non-finite value ({value})")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"cannot average a non-finite value ({value})")
    if not isinstance(value, int | float | Fraction | Decimal | Rational):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return Fraction(value)


RULES = {
    HALF_UP_1DP: (
        "Round half up, one decimal place",
        "Scores are computed unrounded and rounded to one decimal place only for display. A value "
        "exactly halfway between two one-decimal figures is rounded away from zero (2.25 becomes "
        "2.3, 2.35 becomes 2.4). The value is read as the decimal it stands for, ignoring binary "
        "floating-point noise beyond the ninth decimal place (2.2999999999999998 is 2.3).",
    ),
    HALF_EVEN_1DP: (
        "Round half to even, one decimal place",
        "A value exactly halfway between two one-decimal figures is rounded to the one whose last "
        "digit is even (2.25 becomes 2.2, 2.35 becomes 2.4, 2.05 becomes 2.0); all other values "
        "are rounded to the nearest figure. Used by the WHO Global Digital Health Monitor.",
    ),
}
