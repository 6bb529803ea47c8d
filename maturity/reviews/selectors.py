"""Reads of peer review and validation, always scoped to what the reader may see.

Scope (DESIGN §2)
    Peer reviewers see only the returns assigned to their organisation, and never one of their
    own organisation's or their own integrated care system's returns, whatever the assignment
    says (checked on the system recorded at matching and on today's hierarchy).
    Organisations (contributors and submitters) see the primary review of their own returns and
    the validation queries on them; never a blind second review.
    System leads validate the returns of organisations in their ICB, regional validators those in
    their region; neither validates their own organisation's returns.
    National analysts see everything.
Anything outside a reader's scope is a 404, never a 403.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from maturity.accounts.models import Membership, Role
from maturity.assessments.models import EDITION_CONTENT, Answer, Cycle, Evidence, Return
from maturity.core.framework.schema import Domain, Edition
from maturity.core.review.calibration import (
    CalibrationRating,
    DoubleRating,
    ReliabilityReport,
    ReviewerCalibration,
    double_review_reliability,
    reviewer_calibration,
)
from maturity.core.review.flags import FLAG_GUIDANCE
from maturity.core.review.inflation import InflationRow, ReviewedReturn, inflation_index
from maturity.core.review.outcome import EVIDENCE_LEVEL, State
from maturity.core.vocab import PILLAR_ORDER
from maturity.organisations.models import Organisation, Relationship

from . import cohort
from .models import (
    AssignmentKind,
    AssignmentStatus,
    CalibrationCase,
    CalibrationScore,
    DomainReview,
    FlagStatus,
    FundingRound,
    MatchingRun,
    Moderation,
    PeerReviewAssignment,
    ValidationFlag,
)

EDITING_ROLES = (Role.CONTRIBUTOR, Role.SUBMITTER)
VALIDATING_ROLES = (Role.SYSTEM_LEAD, Role.REGIONAL_VALIDATOR)


def _get_edition(edition_id: str) -> Edition:
    from maturity.frameworks.selectors import get_edition

    return get_edition(edition_id)


# --- who the reader is --------------------------------------------------------------------------


def _roles(user: Any) -> dict[str, set[int]]:
    roles: dict[str, set[int]] = defaultdict(set)
    if not (getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
        return roles
    for role, organisation_id in (
        Membership.objects.active().filter(user=user).values_list("role", "organisation_id")
    ):
        roles[role].add(organisation_id)
    return roles


def is_national_analyst(user: Any) -> bool:
    return bool(_roles(user).get(Role.NATIONAL_ANALYST))


def is_peer_reviewer(user: Any) -> bool:
    return bool(_roles(user).get(Role.PEER_REVIEWER))


def is_validator(user: Any) -> bool:
    roles = _roles(user)
    return any(roles.get(role) for role in VALIDATING_ROLES)


def is_editor_of(user: Any, organisation_id: int) -> bool:
    roles = _roles(user)
    return any(organisation_id in roles.get(role, set()) for role in EDITING_ROLES)


def _own_organisations(roles: dict[str, set[int]]) -> set[int]:
    return {
        pk
        for role, ids in roles.items()
        if role not in (Role.NATIONAL_ANALYST, Role.PANEL_MEMBER)
        for pk in ids
    }


# --- reviewers ------------------------------------------------------------------------------------


def _outside_own_systems(
    user_roles: dict[str, set[int]], assignments: list[PeerReviewAssignment]
) -> list[PeerReviewAssignment]:
    """The assignments whose return is neither the reader's organisation's nor in one of the
    reader's systems, by the system recorded at matching and by today's hierarchy."""
    own = _own_organisations(user_roles)
    returned = {a.return_obj.organisation_id for a in assignments}
    placed = cohort.placements(own | returned, timezone.localdate())
    systems = {placed[pk].ics.pk for pk in own if pk in placed and placed[pk].ics is not None}
    allowed = []
    for a in assignments:
        organisation = a.return_obj.organisation_id
        today = placed.get(organisation)
        if (
            organisation in own
            or a.reviewee_ics_id in systems
            or (today is not None and today.ics is not None and today.ics.pk in systems)
        ):
            continue
        allowed.append(a)
    return allowed


def reviewer_assignments(user: Any) -> QuerySet[PeerReviewAssignment]:
    """Current assignments of the user's reviewing organisations that they may see (module
    docstring): never their own organisation's or system's returns."""
    roles = _roles(user)
    reviewing = roles.get(Role.PEER_REVIEWER, set())
    if not reviewing:
        return PeerReviewAssignment.objects.none()
    candidates = list(
        PeerReviewAssignment.objects.filter(reviewer_organisation_id__in=reviewing)
        .exclude(status=AssignmentStatus.REPLACED)
        .select_related("return_obj")
    )
    allowed = [a.pk for a in _outside_own_systems(roles, candidates)]
    return (
        PeerReviewAssignment.objects.filter(pk__in=allowed)
        .select_related(
            "cycle__edition", "return_obj__organisation", "reviewer_organisation", "reviewee_ics"
        )
        .defer(EDITION_CONTENT)
    )


def can_review(user: Any, assignment: PeerReviewAssignment) -> bool:
    """Whether the user reviews this assignment (the same rules as :func:`reviewer_assignments`)."""
    roles = _roles(user)
    if assignment.reviewer_organisation_id not in roles.get(Role.PEER_REVIEWER, set()):
        return False
    if assignment.status == AssignmentStatus.REPLACED:
        return False
    return bool(_outside_own_systems(roles, [assignment]))


def get_assignment_for_reviewer(user: Any, pk: int) -> PeerReviewAssignment:
    found = (
        PeerReviewAssignment.objects.select_related(
            "cycle__edition", "return_obj__organisation", "reviewer_organisation", "reviewee_ics"
        )
        .defer(EDITION_CONTENT)
        .filter(pk=pk)
        .first()
    )
    if found is None or not can_review(user, found):
        raise Http404("No such review.")
    return found


def calibration_cases() -> list[CalibrationCase]:
    return list(CalibrationCase.objects.filter(active=True))


def calibration_done(user: Any, cycle: Cycle) -> bool:
    """Whether the reviewer has scored every active calibration case for the cycle."""
    active = CalibrationCase.objects.filter(active=True)
    scored = CalibrationScore.objects.filter(reviewer=user, cycle=cycle, case__in=active).count()
    return scored >= active.count() > 0


def reviewer_scores(user: Any, cycle: Cycle) -> dict[str, int]:
    return dict(
        CalibrationScore.objects.filter(reviewer=user, cycle=cycle).values_list(
            "case__case_id", "level"
        )
    )


@dataclass(frozen=True)
class CriterionLine:
    id: str
    level: int
    text: str
    answer: str


@dataclass(frozen=True)
class DomainLine:
    review: DomainReview
    domain: Domain
    pillar_name: str
    criteria: list[CriterionLine] = field(default_factory=list)
    narrative: str = ""
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def needs_evidence(self) -> bool:
        return (self.review.reviewer_level or self.review.self_level) >= EVIDENCE_LEVEL


ANSWER_WORDS = {"met": "Met", "not_met": "Not met", "na": "Not applicable"}


def review_lines(
    assignment: PeerReviewAssignment, *, with_answers: bool = True
) -> list[DomainLine]:
    """Each reviewed domain in the edition's order, with the answers and evidence behind it."""
    edition = _get_edition(assignment.cycle.edition.edition_id)
    domains = {d.id: d for d in edition.domains}
    reviews = {r.domain_id: r for r in assignment.domain_reviews.all()}
    answers: dict[str, Any] = {}
    evidence: dict[str, list[Evidence]] = defaultdict(list)
    if with_answers:
        answers = dict(
            Answer.objects.filter(return_obj=assignment.return_obj).values_list("item_id", "value")
        )
        for item in Evidence.objects.current().filter(return_obj=assignment.return_obj):
            evidence[item.domain_id].append(item)
    lines = []
    for domain in edition.domains:
        review = reviews.get(domain.id)
        if review is None:
            continue
        criteria = [
            CriterionLine(
                c.id,
                level.level,
                c.text,
                ANSWER_WORDS.get(str(answers.get(c.id)), "Not answered"),
            )
            for level in domain.levels
            for c in level.criteria
        ]
        narrative = answers.get(f"narrative:{domain.id}") or ""
        lines.append(
            DomainLine(
                review=review,
                domain=domains[domain.id],
                pillar_name=edition.pillar(domain.pillar).name,
                criteria=criteria if with_answers else [],
                narrative=str(narrative),
                evidence=evidence.get(domain.id, []),
            )
        )
    return lines


# --- organisations -------------------------------------------------------------------------------


def get_return_for_organisation(user: Any, pk: int) -> Return:
    """A return the user answers for (contributor or submitter), or any for national analysts."""
    roles = _roles(user)
    query = Return.objects.select_related("cycle__edition", "organisation").defer(EDITION_CONTENT)
    if not roles.get(Role.NATIONAL_ANALYST):
        editing = roles.get(Role.CONTRIBUTOR, set()) | roles.get(Role.SUBMITTER, set())
        query = query.filter(organisation_id__in=editing)
    found = query.filter(pk=pk).first()
    if found is None:
        raise Http404("No such return.")
    return found


def primary_assignment(return_: Return) -> PeerReviewAssignment | None:
    return (
        PeerReviewAssignment.objects.filter(return_obj=return_, kind=AssignmentKind.PRIMARY)
        .exclude(status=AssignmentStatus.REPLACED)
        .select_related("reviewer_organisation", "cycle__edition", "return_obj__organisation")
        .defer(EDITION_CONTENT)
        .first()
    )


def organisation_reviews(user: Any) -> QuerySet[PeerReviewAssignment]:
    """Primary reviews of the returns of organisations the user answers for."""
    roles = _roles(user)
    editing = roles.get(Role.CONTRIBUTOR, set()) | roles.get(Role.SUBMITTER, set())
    return (
        PeerReviewAssignment.objects.filter(
            return_obj__organisation_id__in=editing, kind=AssignmentKind.PRIMARY
        )
        .exclude(status=AssignmentStatus.REPLACED)
        .select_related("return_obj__organisation", "reviewer_organisation", "cycle")
        .annotate(
            waiting=Count(
                "domain_reviews",
                filter=Q(domain_reviews__state=State.AWAITING_ORGANISATION),
            )
        )
    )


def open_queries(return_: Return) -> list[ValidationFlag]:
    """Validation flags a validator has queried and the organisation should answer."""
    return list(
        ValidationFlag.objects.filter(return_obj=return_, status=FlagStatus.QUERIED).select_related(
            "decided_by"
        )
    )


@dataclass(frozen=True)
class LevelRow:
    domain_id: str
    domain_name: str
    pillar_name: str
    self_level: int
    reviewer_level: int | None
    agreed_level: int | None
    counted_level: int | None
    published_level: int | None
    state: str
    state_label: str
    capped: bool


def levels_side_by_side(assignment: PeerReviewAssignment) -> list[LevelRow]:
    """Self-assessed, peer-agreed and published levels of each domain, side by side."""
    rows = []
    for line in review_lines(assignment, with_answers=False):
        r = line.review
        show_reviewer = assignment.status == AssignmentStatus.SUBMITTED
        rows.append(
            LevelRow(
                domain_id=r.domain_id,
                domain_name=line.domain.name,
                pillar_name=line.pillar_name,
                self_level=r.self_level,
                reviewer_level=r.reviewer_level if show_reviewer else None,
                agreed_level=r.agreed_level,
                counted_level=r.counted_level,
                published_level=r.published_level,
                state=r.state,
                state_label=State(r.state).label,
                capped=r.agreed_level is not None
                and r.counted_level is not None
                and r.counted_level < r.agreed_level,
            )
        )
    return rows


# --- validators -----------------------------------------------------------------------------------


def _descendants(roots: set[int], on: dt.date, depth: int) -> set[int]:
    found: set[int] = set()
    frontier = set(roots)
    for _ in range(depth):
        if not frontier:
            break
        children = set(
            Relationship.objects.valid_on(on)
            .filter(parent_id__in=frontier)
            .values_list("child_id", flat=True)
        )
        frontier = children - found - roots
        found |= frontier
    return found


def validation_area(user: Any) -> QuerySet[Return]:
    """Returns the user validates: every one for national analysts; for system leads those of
    organisations in their ICB; for regional validators those in their region; never the returns
    of an organisation the user belongs to."""
    roles = _roles(user)
    if roles.get(Role.NATIONAL_ANALYST):
        return Return.objects.all()
    on = timezone.localdate()
    icbs = roles.get(Role.SYSTEM_LEAD, set())
    regions = roles.get(Role.REGIONAL_VALIDATOR, set())
    if not icbs and not regions:
        return Return.objects.none()
    area = set(icbs) | _descendants(icbs, on, 2) | _descendants(regions, on, 3)
    return Return.objects.filter(organisation_id__in=area - _own_organisations(roles))


def validation_flags_for(
    user: Any, *, cycle: Cycle | None = None, status: str | None = None
) -> QuerySet[ValidationFlag]:
    flags = ValidationFlag.objects.filter(return_obj__in=validation_area(user)).select_related(
        "return_obj__organisation", "cycle", "decided_by"
    )
    if cycle is not None:
        flags = flags.filter(cycle=cycle)
    if status:
        flags = flags.filter(status=status)
    return flags.order_by("status", "cycle", "return_obj__organisation__name", "kind")


def get_flag_for_validator(user: Any, pk: int) -> ValidationFlag:
    found = validation_flags_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such flag.")
    return found


def get_flag_for_organisation(user: Any, pk: int) -> ValidationFlag:
    roles = _roles(user)
    editing = roles.get(Role.CONTRIBUTOR, set()) | roles.get(Role.SUBMITTER, set())
    found = (
        ValidationFlag.objects.filter(
            pk=pk, return_obj__organisation_id__in=editing, status=FlagStatus.QUERIED
        )
        .select_related("return_obj__organisation", "cycle")
        .first()
    )
    if found is None:
        raise Http404("No such query.")
    return found


def flag_guidance(kind: str) -> str:
    return FLAG_GUIDANCE.get(kind, "")


# --- national analysts -----------------------------------------------------------------------------


def get_cycle(pk: int) -> Cycle:
    found = Cycle.objects.select_related("edition").filter(pk=pk).first()
    if found is None:
        raise Http404("No such cycle.")
    return found


def cycles() -> list[Cycle]:
    return list(Cycle.objects.select_related("edition").order_by("-year", "title"))


@dataclass(frozen=True)
class MatchingOverview:
    cycle: Cycle
    assignments: list[PeerReviewAssignment]
    latest_run: MatchingRun | None
    runs: list[MatchingRun]
    committed: int
    unassigned: list[Return]
    load: dict[int, int]


def matching_overview(cycle: Cycle, *, kind: str = AssignmentKind.PRIMARY) -> MatchingOverview:
    assignments = list(
        PeerReviewAssignment.objects.filter(cycle=cycle, kind=kind)
        .exclude(status=AssignmentStatus.REPLACED)
        .select_related(
            "return_obj__organisation", "reviewer_organisation", "reviewee_ics", "reviewer_ics"
        )
        .order_by("return_obj__organisation__name", "return_obj__care_setting")
    )
    returns = cohort.reviewable_returns(cycle)
    assigned = {a.return_obj_id for a in assignments}
    load: dict[int, int] = defaultdict(int)
    for a in PeerReviewAssignment.objects.filter(cycle=cycle).exclude(
        status=AssignmentStatus.REPLACED
    ):
        load[a.reviewer_organisation_id] += 1
    runs = list(MatchingRun.objects.filter(cycle=cycle))
    return MatchingOverview(
        cycle=cycle,
        assignments=assignments,
        latest_run=next((r for r in runs if r.kind == kind), None),
        runs=runs,
        committed=len(returns),
        unassigned=[r for r in returns if r.pk not in assigned],
        load=dict(load),
    )


def get_assignment(pk: int) -> PeerReviewAssignment:
    found = (
        PeerReviewAssignment.objects.select_related(
            "cycle__edition", "return_obj__organisation", "reviewer_organisation"
        )
        .defer(EDITION_CONTENT)
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such assignment.")
    return found


def moderation_queue(*, decided: bool = False) -> QuerySet[Moderation]:
    return (
        Moderation.objects.filter(decided_at__isnull=not decided)
        .select_related(
            "domain_review__assignment__return_obj__organisation",
            "domain_review__assignment__reviewer_organisation",
            "domain_review__assignment__cycle__edition",
            "decided_by",
        )
        .defer(f"domain_review__assignment__{EDITION_CONTENT}")
        .order_by("opened_at", "id")
    )


def get_moderation(pk: int) -> Moderation:
    found = (
        moderation_queue().filter(pk=pk).first()
        or moderation_queue(decided=True).filter(pk=pk).first()
    )
    if found is None:
        raise Http404("No such moderation.")
    return found


def domain_name(cycle: Cycle, domain_id: str) -> str:
    edition = _get_edition(cycle.edition.edition_id)
    for domain in edition.domains:
        if domain.id == domain_id:
            return domain.name
    return domain_id


@dataclass(frozen=True)
class ReviewerRow:
    reviewer: Any
    organisations: list[str]
    calibration: ReviewerCalibration | None
    scored: int


@dataclass(frozen=True)
class ReliabilityData:
    cycle: Cycle
    cases: int
    reviewers: list[ReviewerRow]
    double: ReliabilityReport
    double_units: int
    pillar_names: dict[str, str]


def reliability(cycle: Cycle) -> ReliabilityData:
    """Per-reviewer calibration against the reference levels, and Krippendorff's alpha of the
    blind double review per pillar."""
    scores = CalibrationScore.objects.filter(cycle=cycle).select_related("case", "reviewer")
    by_reviewer: dict[Any, list[CalibrationRating]] = defaultdict(list)
    for score in scores:
        by_reviewer[score.reviewer].append(
            CalibrationRating(score.case.case_id, score.case.reference_level, score.level)
        )
    memberships: dict[int, list[str]] = defaultdict(list)
    for m in (
        Membership.objects.active()
        .filter(user__in=list(by_reviewer), role=Role.PEER_REVIEWER)
        .select_related("organisation")
    ):
        memberships[m.user_id].append(m.organisation.name)
    rows = [
        ReviewerRow(
            reviewer=user,
            organisations=sorted(memberships.get(user.pk, [])),
            calibration=reviewer_calibration(ratings),
            scored=len(ratings),
        )
        for user, ratings in sorted(by_reviewer.items(), key=lambda kv: kv[0].get_username())
    ]
    units = double_review_units(cycle)
    edition = _get_edition(cycle.edition.edition_id)
    return ReliabilityData(
        cycle=cycle,
        cases=CalibrationCase.objects.filter(active=True).count(),
        reviewers=rows,
        double=double_review_reliability(units),
        double_units=len(units),
        pillar_names={p.id: p.name for p in edition.pillars},
    )


def double_review_units(cycle: Cycle) -> list[DoubleRating]:
    """(return, domain) units rated by both the primary and the blind second reviewer."""
    reviews = (
        DomainReview.objects.filter(assignment__cycle=cycle)
        .exclude(assignment__status=AssignmentStatus.REPLACED)
        .exclude(decision="")
        .select_related("assignment")
    )
    by_unit: dict[tuple[int, str], dict[str, int | None]] = defaultdict(dict)
    pillar: dict[tuple[int, str], str] = {}
    for review in reviews:
        unit = (review.assignment.return_obj_id, review.domain_id)
        by_unit[unit][review.assignment.kind] = review.reviewer_level
        pillar[unit] = review.pillar_id
    return [
        DoubleRating(
            unit=f"{unit[0]}:{unit[1]}",
            pillar=pillar[unit],
            ratings=(ratings[AssignmentKind.PRIMARY], ratings[AssignmentKind.BLIND_SECOND]),
        )
        for unit, ratings in sorted(by_unit.items())
        if AssignmentKind.PRIMARY in ratings and AssignmentKind.BLIND_SECOND in ratings
    ]


@dataclass(frozen=True)
class InflationTable:
    grouping: str
    pillars: list[tuple[str, str]]
    rows: list[tuple[str, dict[str, InflationRow]]]
    returns: int


def inflation(cycle: Cycle, *, grouping: str) -> InflationTable:
    """The inflation index of a cycle (self minus peer-agreed) by organisation, ICS or region,
    over the primary reviews' domains that have a peer-agreed (counted) level."""
    reviews = (
        DomainReview.objects.filter(
            assignment__cycle=cycle,
            assignment__kind=AssignmentKind.PRIMARY,
            counted_level__isnull=False,
        )
        .exclude(assignment__status=AssignmentStatus.REPLACED)
        .select_related("assignment__return_obj__organisation")
    )
    by_return: dict[int, list[DomainReview]] = defaultdict(list)
    organisations: dict[int, Organisation] = {}
    for review in reviews:
        return_ = review.assignment.return_obj
        by_return[return_.pk].append(review)
        organisations[return_.organisation_id] = return_.organisation
    placed = cohort.placements(organisations, cohort.hierarchy_date(cycle))
    names: dict[str, str] = {}
    reviewed = []
    for return_id, items in sorted(by_return.items()):
        organisation = items[0].assignment.return_obj.organisation
        placement = placed.get(organisation.pk, cohort.Placement(None, None))
        names[str(organisation.pk)] = organisation.name
        for org in (placement.ics, placement.region):
            if org is not None:
                names[str(org.pk)] = org.name
        reviewed.append(
            ReviewedReturn(
                key=str(return_id),
                organisation=str(organisation.pk),
                ics=str(placement.ics.pk) if placement.ics else None,
                region=str(placement.region.pk) if placement.region else None,
                domain_pillars={r.domain_id: r.pillar_id for r in items},
                self_levels={r.domain_id: r.self_level for r in items},
                peer_levels={r.domain_id: r.counted_level for r in items},
            )
        )
    found = inflation_index(reviewed, grouping=grouping)
    grouped: dict[str, dict[str, InflationRow]] = defaultdict(dict)
    for row in found:
        grouped[row.group][row.pillar] = row
    edition = _get_edition(cycle.edition.edition_id)
    pillar_names = {p.id: p.name for p in edition.pillars}
    pillars = [("overall", "Overall")] + [
        (str(p), pillar_names.get(str(p), str(p)))
        for p in PILLAR_ORDER
        if any(str(p) in g for g in grouped.values())
    ]
    rows = sorted(
        ((names.get(group, group), pillars_) for group, pillars_ in grouped.items()),
        key=lambda item: (-item[1]["overall"].difference if "overall" in item[1] else 0, item[0]),
    )
    return InflationTable(grouping=grouping, pillars=pillars, rows=rows, returns=len(reviewed))


def funding_rounds() -> list[FundingRound]:
    return list(FundingRound.objects.all())


def flags_summary(cycle: Cycle) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind, status, n in (
        ValidationFlag.objects.filter(cycle=cycle)
        .values_list("kind", "status")
        .annotate(n=Count("id"))
    ):
        counts[kind][status] = n
    return {k: dict(v) for k, v in counts.items()}
