"""The rules of a domain review: what level results from the reviewer's and organisation's steps.

Rules (method ``peer_review_outcome``)
    1. The reviewer agrees with the self-assessed level, or challenges it with a proposed level
       (different from the self-assessed one), a reason and the evidence asked for.
    2. An agreed domain's agreed level is the self-assessed level.
    3. A challenged domain waits for the organisation, which accepts or contests (with
       evidence). An accepted challenge's agreed level is the proposed level.
    4. A challenge goes to moderation by a national analyst when the organisation contests it,
       or when the proposed level is ``MODERATION_GAP`` (2) or more levels from the self-assessed
       one (accepted or not). The moderator's level is final.
    5. The level that counts (peer-agreed, and later published) is the agreed level, except that
       levels 4 and 5 count only when the reviewer confirmed the evidence for them; without that
       confirmation the level that counts is 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

OUTCOME_METHOD = "peer_review_outcome"
MODERATION_GAP = 2
#: Levels from this one up need evidence the reviewer confirmed.
EVIDENCE_LEVEL = 4
LEVELS = (1, 2, 3, 4, 5)


class Decision(StrEnum):
    AGREE = "agree"
    CHALLENGE = "challenge"


class Response(StrEnum):
    ACCEPT = "accept"
    CONTEST = "contest"


class State(StrEnum):
    AWAITING_REVIEWER = "awaiting_reviewer"
    AWAITING_ORGANISATION = "awaiting_organisation"
    IN_MODERATION = "in_moderation"
    AGREED = "agreed"
    MODERATED = "moderated"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in (State.AGREED, State.MODERATED)


STATE_LABELS = {
    State.AWAITING_REVIEWER: "Awaiting the reviewer",
    State.AWAITING_ORGANISATION: "Awaiting the organisation's reply",
    State.IN_MODERATION: "In moderation",
    State.AGREED: "Agreed",
    State.MODERATED: "Decided in moderation",
}

GAP = "gap"
CONTESTED = "contested"
MODERATION_REASONS = {
    GAP: f"The proposed level is {MODERATION_GAP} or more levels from the self-assessed level.",
    CONTESTED: "The organisation contested the challenge.",
}


class ReviewRuleError(ValueError):
    """A step that the rules do not allow (a level out of range, a reply before a challenge)."""


@dataclass(frozen=True)
class DomainOutcome:
    state: State
    agreed_level: int | None
    counted_level: int | None
    moderation_reason: str | None


def _check_level(level: int | None, what: str) -> None:
    if level is not None and (isinstance(level, bool) or level not in LEVELS):
        raise ReviewRuleError(f"{what} must be a level from 1 to 5, got {level!r}")


def counted_level(level: int, *, evidence_confirmed: bool) -> int:
    """Rule 5: levels 4 and 5 count only with evidence the reviewer confirmed."""
    _check_level(level, "the level")
    if level >= EVIDENCE_LEVEL and not evidence_confirmed:
        return EVIDENCE_LEVEL - 1
    return level


def moderation_reason(
    self_level: int, proposed_level: int, response: Response | str | None
) -> str | None:
    """Rule 4: why a challenge goes to moderation, or None."""
    if response == Response.CONTEST:
        return CONTESTED
    if abs(self_level - proposed_level) >= MODERATION_GAP:
        return GAP
    return None


def domain_outcome(
    *,
    self_level: int,
    decision: Decision | str | None = None,
    proposed_level: int | None = None,
    response: Response | str | None = None,
    moderated_level: int | None = None,
    evidence_confirmed: bool = False,
) -> DomainOutcome:
    """The state, agreed level and counted level of one domain review (rules above)."""
    _check_level(self_level, "the self-assessed level")
    _check_level(proposed_level, "the proposed level")
    _check_level(moderated_level, "the moderated level")
    if decision is None:
        if response is not None or moderated_level is not None:
            raise ReviewRuleError("there is nothing to reply to or moderate before the review")
        return DomainOutcome(State.AWAITING_REVIEWER, None, None, None)
    decision = Decision(decision)
    if decision == Decision.AGREE:
        if response is not None or moderated_level is not None:
            raise ReviewRuleError("an agreed domain has nothing to reply to or moderate")
        level = self_level
        return DomainOutcome(
            State.AGREED, level, counted_level(level, evidence_confirmed=evidence_confirmed), None
        )
    if proposed_level is None:
        raise ReviewRuleError("a challenge needs a proposed level")
    if proposed_level == self_level:
        raise ReviewRuleError("a challenge must propose a level other than the self-assessed one")
    if response is None:
        if moderated_level is not None:
            raise ReviewRuleError("a challenge is moderated only after the organisation replies")
        return DomainOutcome(State.AWAITING_ORGANISATION, None, None, None)
    response = Response(response)
    reason = moderation_reason(self_level, proposed_level, response)
    if reason is None:
        if moderated_level is not None:
            raise ReviewRuleError("this challenge does not go to moderation")
        level = proposed_level
        return DomainOutcome(
            State.AGREED, level, counted_level(level, evidence_confirmed=evidence_confirmed), None
        )
    if moderated_level is None:
        return DomainOutcome(State.IN_MODERATION, None, None, reason)
    return DomainOutcome(
        State.MODERATED,
        moderated_level,
        counted_level(moderated_level, evidence_confirmed=evidence_confirmed),
        reason,
    )
