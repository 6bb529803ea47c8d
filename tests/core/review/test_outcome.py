"""The rules of a domain review."""

import pytest

from maturity.core.review.outcome import (
    CONTESTED,
    GAP,
    ReviewRuleError,
    State,
    counted_level,
    domain_outcome,
)


@pytest.mark.parametrize(
    ("kwargs", "state", "agreed", "counted", "reason"),
    [
        ({"self_level": 3}, State.AWAITING_REVIEWER, None, None, None),
        ({"self_level": 3, "decision": "agree"}, State.AGREED, 3, 3, None),
        # Level 4 agreed without confirmed evidence counts as 3; with it, 4.
        ({"self_level": 4, "decision": "agree"}, State.AGREED, 4, 3, None),
        (
            {"self_level": 4, "decision": "agree", "evidence_confirmed": True},
            State.AGREED,
            4,
            4,
            None,
        ),
        (
            {"self_level": 3, "decision": "challenge", "proposed_level": 2},
            State.AWAITING_ORGANISATION,
            None,
            None,
            None,
        ),
        (
            {"self_level": 3, "decision": "challenge", "proposed_level": 2, "response": "accept"},
            State.AGREED,
            2,
            2,
            None,
        ),
        (
            {"self_level": 3, "decision": "challenge", "proposed_level": 2, "response": "contest"},
            State.IN_MODERATION,
            None,
            None,
            CONTESTED,
        ),
        # A gap of two goes to moderation even when accepted.
        (
            {"self_level": 4, "decision": "challenge", "proposed_level": 2, "response": "accept"},
            State.IN_MODERATION,
            None,
            None,
            GAP,
        ),
        (
            {
                "self_level": 5,
                "decision": "challenge",
                "proposed_level": 3,
                "response": "contest",
                "moderated_level": 5,
                "evidence_confirmed": True,
            },
            State.MODERATED,
            5,
            5,
            CONTESTED,
        ),
        (
            {
                "self_level": 5,
                "decision": "challenge",
                "proposed_level": 3,
                "response": "accept",
                "moderated_level": 4,
            },
            State.MODERATED,
            4,
            3,
            GAP,
        ),
    ],
)
def test_domain_outcomes(kwargs, state, agreed, counted, reason):
    outcome = domain_outcome(**kwargs)
    assert outcome.state == state
    assert outcome.agreed_level == agreed
    assert outcome.counted_level == counted
    assert outcome.moderation_reason == reason


@pytest.mark.parametrize(
    "kwargs",
    [
        {"self_level": 6},
        {"self_level": 3, "decision": "challenge"},
        {"self_level": 3, "decision": "challenge", "proposed_level": 3},
        {"self_level": 3, "response": "accept"},
        {"self_level": 3, "decision": "agree", "response": "contest"},
        {"self_level": 3, "decision": "challenge", "proposed_level": 2, "moderated_level": 2},
        {
            "self_level": 3,
            "decision": "challenge",
            "proposed_level": 2,
            "response": "accept",
            "moderated_level": 2,
        },
        {"self_level": 3, "decision": "maybe"},
    ],
)
def test_steps_the_rules_do_not_allow(kwargs):
    with pytest.raises(ValueError):
        domain_outcome(**kwargs)


def test_counted_level():
    assert [counted_level(level, evidence_confirmed=False) for level in range(1, 6)] == [
        1,
        2,
        3,
        3,
        3,
    ]
    assert [counted_level(level, evidence_confirmed=True) for level in range(1, 6)] == [
        1,
        2,
        3,
        4,
        5,
    ]
    with pytest.raises(ReviewRuleError):
        counted_level(0, evidence_confirmed=True)
