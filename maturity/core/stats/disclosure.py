"""Small-number suppression for published figures (method ``small_number_suppression``).

Rules
    * A count from 1 to threshold - 1 (1 to 4 with the default threshold of 5) is suppressed:
      it is published as blank (``None``), and so is every figure computed from that group
      (its mean, median, deciles). "Small groups suppressed (fewer than 5)."
    * A count of 0 is published: it says that no organisation is in the group and reveals
      nothing about any one organisation, and a group of none has no other figures to publish.
    * Counts at or above the threshold are published as they are.
"""

from __future__ import annotations

from typing import TypeVar

from ._checks import whole

SUPPRESSION_METHOD = "small_number_suppression"
SUPPRESSION_THRESHOLD = 5

T = TypeVar("T")


def is_suppressed(count: int, *, threshold: int = SUPPRESSION_THRESHOLD) -> bool:
    """Whether a group of ``count`` is too small to publish (1 to threshold - 1)."""
    number = whole(count, "the count", minimum=0)
    limit = whole(threshold, "the threshold", minimum=1)
    return 0 < number < limit


def suppress(count: int, *, threshold: int = SUPPRESSION_THRESHOLD) -> int | None:
    """The count to publish: ``None`` for 1 to threshold - 1, otherwise the count (0 kept)."""
    return None if is_suppressed(count, threshold=threshold) else count


def suppress_figure(value: T, *, count: int, threshold: int = SUPPRESSION_THRESHOLD) -> T | None:
    """A figure computed from a group of ``count``: ``None`` when that group is suppressed."""
    return None if is_suppressed(count, threshold=threshold) else value


RULES = {
    SUPPRESSION_METHOD: (
        "Small numbers suppressed",
        "To protect individual organisations, a group of fewer than 5 (from 1 to 4) is not "
        "published: its count and every figure computed from it (mean, median, deciles) are left "
        "blank. A count of 0 is published, since it reveals nothing about any organisation.",
    ),
}
