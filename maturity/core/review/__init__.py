"""Peer review and validation: pure logic (no Django, no database).

Modules
    :mod:`.matching`
        Which organisation reviews which return: an assignment problem solved exactly by HiGHS
        (same care setting, similar size, another integrated care system, bounded load, no
        reciprocal pairs where avoidable), with an explanation of each match
        (:func:`match_reviewers`).
    :mod:`.outcome`
        The rules of a domain review: agree or challenge, accept or contest, moderation, and the
        evidence needed for levels 4 and 5 (:func:`domain_outcome`).
    :mod:`.flags`
        Validation flags, each with a plain-English explanation (:func:`raise_flags`).
    :mod:`.inflation`
        Self-assessed minus peer-agreed levels per pillar, by organisation, ICS and region
        (:func:`inflation_index`).
    :mod:`.calibration`
        Reviewers' leniency and weighted kappa against calibration cases; Krippendorff's alpha
        of the blind double review (:func:`reviewer_calibration`,
        :func:`double_review_reliability`).

Each module's docstring states its rules precisely.
"""

from .calibration import (
    CalibrationRating,
    DoubleRating,
    Reliability,
    ReliabilityReport,
    ReviewerCalibration,
    double_review_reliability,
    reviewer_calibration,
)
from .flags import (
    FLAG_GUIDANCE,
    FLAG_KINDS,
    EditionFacts,
    Flag,
    FundingRound,
    PreviousYear,
    ReferenceFacts,
    ReturnProfile,
    Thresholds,
    raise_flags,
    size_bands,
)
from .inflation import InflationRow, ReviewedReturn, inflation_index, return_inflation
from .matching import (
    Match,
    MatchingError,
    MatchingResult,
    Reviewee,
    ReviewerOrganisation,
    Unmatched,
    match_reviewers,
)
from .outcome import Decision, DomainOutcome, Response, ReviewRuleError, State, domain_outcome

__all__ = [
    "FLAG_GUIDANCE",
    "FLAG_KINDS",
    "CalibrationRating",
    "Decision",
    "DomainOutcome",
    "DoubleRating",
    "EditionFacts",
    "Flag",
    "FundingRound",
    "InflationRow",
    "Match",
    "MatchingError",
    "MatchingResult",
    "PreviousYear",
    "ReferenceFacts",
    "Reliability",
    "ReliabilityReport",
    "Response",
    "ReturnProfile",
    "ReviewRuleError",
    "ReviewedReturn",
    "Reviewee",
    "ReviewerCalibration",
    "ReviewerOrganisation",
    "State",
    "Thresholds",
    "Unmatched",
    "domain_outcome",
    "double_review_reliability",
    "inflation_index",
    "match_reviewers",
    "raise_flags",
    "reviewer_calibration",
    "return_inflation",
    "size_bands",
]
