"""What the assessment services refuse, and why. Views and the API turn these into messages.

Permission failures are ``django.core.exceptions.PermissionDenied``; a return another
organisation owns is never reached (selectors raise ``Http404`` first).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class AssessmentError(Exception):
    """Base of every refusal below; ``message`` is written for the person who acted."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IllegalTransition(AssessmentError):
    """The return (or cycle) is not in a state that allows this change."""


class ReturnLocked(IllegalTransition):
    """The return accepts no changes: committed, withdrawn, or its cycle is not open."""


class AnswerConflict(AssessmentError):
    """Someone else saved the item since the editor read it: nothing was overwritten.

    ``current_version`` is None when the item has no answer at all.
    """

    def __init__(
        self,
        *,
        item_id: str,
        current_value: Any,
        current_version: int | None,
        attempted_value: Any,
    ) -> None:
        super().__init__(
            f"{item_id} was changed by someone else while you were editing it "
            f"(it is now at version {current_version}). Nothing was overwritten: choose which "
            "answer to keep."
            if current_version is not None
            else f"{item_id} has no saved answer to change: it may have been removed."
        )
        self.item_id = item_id
        self.current_value = current_value
        self.current_version = current_version
        self.attempted_value = attempted_value


class InvalidAnswer(AssessmentError, ValueError):
    """The value is not an answer this item accepts, or the item is not in the return."""


class InvalidUpload(AssessmentError, ValueError):
    """The evidence file or link is refused; ``message`` says exactly what is wrong."""


class InvalidInput(AssessmentError, ValueError):
    """A field of a request is missing or unusable (a blank reason, an empty comment…)."""


class CycleExists(AssessmentError):
    """A cycle for this year and edition (real or demonstration) is already open."""


@dataclass(frozen=True)
class MissingItem:
    """An item that must be answered before the return can be committed.

    ``domain_id`` is the domain page the item is on, or ``"contextual"`` for the contextual
    questions page (:data:`maturity.assessments.selectors.CONTEXTUAL_SECTION`).
    """

    item_id: str
    domain_id: str
    label: str


class MissingItems(AssessmentError):
    """The return cannot be committed: these mandatory items are unanswered."""

    def __init__(self, items: list[MissingItem]) -> None:
        count = len(items)
        super().__init__(
            f"{count} mandatory item{'s are' if count != 1 else ' is'} not answered yet."
        )
        self.items = items
