"""Reads of the assessment cycle, always scoped to what the reader may see.

Visibility (DESIGN §2): contributors and submitters see their organisations' returns; system leads
the returns of organisations in their ICB; regional validators those in their region; national
analysts every return. Anyone else sees none. A return outside a reader's view is a 404, never a
403: :func:`get_return_for` is the way in for views and API handlers.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from maturity.accounts.models import Membership, Role
from maturity.core.framework.schema import ContextualQuestion, Domain, Edition
from maturity.core.vocab import CARE_SETTING_LABELS, CareSetting
from maturity.organisations.models import Organisation, OrganisationKind, Relationship

from .exceptions import InvalidAnswer, MissingItem
from .models import (
    EDITION_CONTENT,
    Answer,
    AnswerRevision,
    Assignment,
    Comment,
    Cycle,
    Evidence,
    Return,
    ReturnStatus,
    ReturnStatusChange,
    Score,
)
from .statemachine import CycleState, ReturnState

#: The "domain" of the contextual questions: they have a page of their own.
CONTEXTUAL_SECTION = "contextual"
NARRATIVE_PREFIX = "narrative:"
NARRATIVE_MAX_LENGTH = 10_000
CRITERION_VALUES = ("met", "not_met", "na")
#: Roles that answer an organisation's return.
EDITING_ROLES = (Role.CONTRIBUTOR, Role.SUBMITTER)


def narrative_id(domain_id: str) -> str:
    return f"{NARRATIVE_PREFIX}{domain_id}"


def _get_edition(edition_id: str) -> Edition:
    from maturity.frameworks.selectors import get_edition

    return get_edition(edition_id)


# --- The items of a return ------------------------------------------------------------------


@dataclass(frozen=True)
class ItemCatalogue:
    """Every item a return for one edition and care setting can hold, and how to validate it."""

    edition: Edition
    care_setting: str
    domains: tuple[Domain, ...]
    domain_by_id: dict[str, Domain]
    criterion_domain: dict[str, str]
    criterion_level: dict[str, int]
    criterion_text: dict[str, str]
    questions: dict[str, ContextualQuestion]

    @classmethod
    def build(cls, edition: Edition, care_setting: str) -> ItemCatalogue:
        domains = tuple(edition.domains_for(care_setting))
        criterion_domain: dict[str, str] = {}
        criterion_level: dict[str, int] = {}
        criterion_text: dict[str, str] = {}
        for domain in domains:
            for level in domain.levels:
                for criterion in level.criteria:
                    criterion_domain[criterion.id] = domain.id
                    criterion_level[criterion.id] = level.level
                    criterion_text[criterion.id] = criterion.text
        return cls(
            edition=edition,
            care_setting=care_setting,
            domains=domains,
            domain_by_id={domain.id: domain for domain in domains},
            criterion_domain=criterion_domain,
            criterion_level=criterion_level,
            criterion_text=criterion_text,
            questions={q.id: q for q in edition.questions_for(care_setting)},
        )

    def has_domain(self, domain_id: str) -> bool:
        return domain_id in self.domain_by_id

    def kind_of(self, item_id: str) -> str | None:
        """ "criterion", "contextual", "narrative", or None for an item the return lacks."""
        if item_id in self.criterion_domain:
            return "criterion"
        if item_id in self.questions:
            return "contextual"
        if item_id.startswith(NARRATIVE_PREFIX) and item_id[len(NARRATIVE_PREFIX) :] in (
            self.domain_by_id
        ):
            return "narrative"
        return None

    def section_of(self, item_id: str) -> str:
        """The domain id whose page shows the item, or :data:`CONTEXTUAL_SECTION`."""
        kind = self.kind_of(item_id)
        if kind == "criterion":
            return self.criterion_domain[item_id]
        if kind == "narrative":
            return item_id[len(NARRATIVE_PREFIX) :]
        if kind == "contextual":
            return CONTEXTUAL_SECTION
        raise KeyError(item_id)

    def items_of(self, section: str) -> list[str]:
        """The item ids shown on a domain's page (criteria then narrative), or the contextual
        question ids for :data:`CONTEXTUAL_SECTION`."""
        if section == CONTEXTUAL_SECTION:
            return list(self.questions)
        domain = self.domain_by_id[section]
        return [c.id for c in domain.criteria] + [narrative_id(domain.id)]

    def label(self, item_id: str) -> str:
        kind = self.kind_of(item_id)
        if kind == "criterion":
            domain = self.domain_by_id[self.criterion_domain[item_id]]
            return (
                f"{domain.name}, level {self.criterion_level[item_id]}: "
                f"{self.criterion_text[item_id]}"
            )
        if kind == "contextual":
            return self.questions[item_id].text
        if kind == "narrative":
            return f"{self.domain_by_id[self.section_of(item_id)].name}: narrative"
        return item_id

    def clean(self, item_id: str, value: Any) -> Any:
        """The value as stored (JSON), or :class:`InvalidAnswer` saying what is wrong."""
        kind = self.kind_of(item_id)
        if kind is None:
            raise InvalidAnswer(
                f"{item_id!r} is not a question of this return ({self.edition.id}, "
                f"{self.care_setting})."
            )
        if kind == "criterion":
            if not isinstance(value, str) or value not in CRITERION_VALUES:
                raise InvalidAnswer(
                    f"{item_id}: answer met, not met or not applicable "
                    f"({', '.join(CRITERION_VALUES)})."
                )
            return value
        if kind == "narrative":
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise InvalidAnswer(f"{item_id}: a narrative is text.")
            value = value.strip()
            if len(value) > NARRATIVE_MAX_LENGTH:
                raise InvalidAnswer(
                    f"{item_id}: a narrative can be at most {NARRATIVE_MAX_LENGTH:,} characters; "
                    f"this one has {len(value):,}."
                )
            return value
        question = self.questions[item_id]
        try:
            clean = question.clean_answer(value)
        except ValueError as error:
            raise InvalidAnswer(f"{item_id}: {error}.") from None
        return clean.isoformat() if isinstance(clean, dt.date) else clean

    def python_answers(self, stored: dict[str, Any]) -> dict[str, Any]:
        """Stored contextual answers in their Python types, for enable-when conditions."""
        clean = {}
        for item_id, value in stored.items():
            question = self.questions.get(item_id)
            if question is None:
                continue
            try:
                clean[item_id] = question.clean_answer(value)
            except ValueError:
                continue
        return clean

    def enabled_questions(self, stored: dict[str, Any]) -> list[ContextualQuestion]:
        return self.edition.enabled_questions(self.care_setting, self.python_answers(stored))

    def missing(
        self, stored: dict[str, Any], copied: frozenset[str] | set[str] = frozenset()
    ) -> list[MissingItem]:
        """Mandatory items without an answer: every criterion, and every mandatory contextual
        question that is asked given the answers so far. An answer copied from last year and
        not yet confirmed does not count as given."""

        def missing_label(item_id: str, label: str) -> str:
            if item_id in copied and stored.get(item_id) not in (None, "", []):
                return f"{label} (copied from last year: confirm or change it)"
            return label

        def unanswered(item_id: str) -> bool:
            return stored.get(item_id) in (None, "", []) or item_id in copied

        missing = [
            MissingItem(
                item_id=c.id, domain_id=domain.id, label=missing_label(c.id, self.label(c.id))
            )
            for domain in self.domains
            for c in domain.criteria
            if unanswered(c.id)
        ]
        missing += [
            MissingItem(
                item_id=q.id, domain_id=CONTEXTUAL_SECTION, label=missing_label(q.id, q.text)
            )
            for q in self.enabled_questions(stored)
            if q.mandatory and unanswered(q.id)
        ]
        return missing


_catalogues: dict[tuple[str, str], tuple[Edition, ItemCatalogue]] = {}
_catalogue_lock = threading.Lock()


def catalogue_for(edition: Edition, care_setting: str) -> ItemCatalogue:
    """The item catalogue, built once per parsed edition and care setting."""
    key = (edition.id, care_setting)
    cached = _catalogues.get(key)
    if cached is not None and cached[0] is edition:
        return cached[1]
    catalogue = ItemCatalogue.build(edition, care_setting)
    with _catalogue_lock:
        _catalogues[key] = (edition, catalogue)
    return catalogue


def catalogue_of(return_: Return) -> ItemCatalogue:
    return catalogue_for(_get_edition(return_.cycle.edition.edition_id), return_.care_setting)


def stored_answers(return_: Return) -> dict[str, Any]:
    return dict(return_.answers.values_list("item_id", "value"))


# --- Who may see and do what ------------------------------------------------------------------


def _active_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _roles(user: Any) -> dict[str, set[int]]:
    """Organisation ids by role, from the user's active memberships (one query)."""
    roles: dict[str, set[int]] = defaultdict(set)
    if not _active_user(user):
        return roles
    for role, organisation_id in (
        Membership.objects.active().filter(user=user).values_list("role", "organisation_id")
    ):
        roles[role].add(organisation_id)
    return roles


def _below(roots: Any, on: dt.date, depth: int) -> list[QuerySet]:
    """Subqueries of the organisations 1..depth levels below ``roots`` on ``on``."""
    levels = []
    parents = roots
    for _ in range(depth):
        children = (
            Relationship.objects.valid_on(on).filter(parent_id__in=parents).values("child_id")
        )
        levels.append(children)
        parents = children
    return levels


def returns_visible_to(user: Any) -> QuerySet[Return]:
    """The returns ``user`` may read (DESIGN §2), as of today's organisation hierarchy."""
    roles = _roles(user)
    if not roles:
        return Return.objects.none()
    if roles.get(Role.NATIONAL_ANALYST):
        return Return.objects.all()
    on = timezone.localdate()
    own = roles.get(Role.CONTRIBUTOR, set()) | roles.get(Role.SUBMITTER, set())
    visible = Q(organisation_id__in=own) if own else Q(pk__in=[])
    # ICB → trust, sub-ICB location or local authority → practice or care provider.
    icbs = roles.get(Role.SYSTEM_LEAD, set())
    if icbs:
        visible |= Q(organisation_id__in=icbs)
        for level in _below(icbs, on, 2):
            visible |= Q(organisation_id__in=level)
    regions = roles.get(Role.REGIONAL_VALIDATOR, set())
    if regions:
        for level in _below(regions, on, 3):
            visible |= Q(organisation_id__in=level)
    return Return.objects.filter(visible)


def get_return_for(user: Any, pk: int) -> Return:
    """The return, if ``user`` may see it; ``Http404`` otherwise (never 403)."""
    found = (
        returns_visible_to(user)
        .select_related("cycle__edition", "organisation")
        .defer(EDITION_CONTENT)
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such return.")
    return found


def is_editor(user: Any, organisation: Organisation | int) -> bool:
    """Whether ``user`` answers this organisation's returns (contributor or submitter)."""
    if not _active_user(user):
        return False
    return (
        Membership.objects.active()
        .filter(user=user, organisation=organisation, role__in=EDITING_ROLES)
        .exists()
    )


def accepts_answers(return_: Return) -> bool:
    """Whether the return can be changed now: not committed or withdrawn, and its cycle open."""
    return (
        return_.state in (ReturnState.NOT_STARTED, ReturnState.IN_PROGRESS)
        and return_.cycle.status == CycleState.OPEN
    )


def can_edit(user: Any, return_: Return) -> bool:
    return accepts_answers(return_) and is_editor(user, return_.organisation_id)


def can_commit(user: Any, return_: Return) -> bool:
    """Whether the commit button is offered (committing still checks what is missing)."""
    if return_.state != ReturnState.IN_PROGRESS or return_.cycle.status != CycleState.OPEN:
        return False
    if not _active_user(user):
        return False
    return (
        Membership.objects.active()
        .filter(user=user, organisation_id=return_.organisation_id, role=Role.SUBMITTER)
        .exists()
    )


def can_unlock(user: Any) -> bool:
    return bool(_roles(user).get(Role.NATIONAL_ANALYST))


def can_manage_cycles(user: Any) -> bool:
    """Opening, closing, rescoping and releasing cycles: national analysts only."""
    return can_unlock(user)


def can_comment(user: Any, return_: Return) -> bool:
    """Anyone who can see a return can raise or answer a query on it, unless it is withdrawn."""
    return not return_.is_withdrawn and returns_visible_to(user).filter(pk=return_.pk).exists()


def assignable_people(return_: Return) -> list[Any]:
    """People who can be assigned a domain: the organisation's contributors and submitters."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organisation_id=return_.organisation_id,
            memberships__role__in=EDITING_ROLES,
            memberships__revoked_at__isnull=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# --- Task list and pages ----------------------------------------------------------------------


@dataclass(frozen=True)
class DomainTask:
    domain_id: str
    name: str
    status: str  # not_started | in_progress | completed | copied
    level: int
    assignee_name: str | None
    copied: bool


@dataclass(frozen=True)
class PillarTasks:
    pillar_id: str
    name: str
    domains: list[DomainTask]


@dataclass(frozen=True)
class TaskList:
    pillars: list[PillarTasks]
    #: The contextual questions page, with the same status words.
    contextual_status: str = "not_started"
    #: Domains completed, of all domains.
    completed: int = 0
    total: int = 0


TASK_STATUS_LABELS = {
    "not_started": "Not yet started",
    "in_progress": "In progress",
    "completed": "Completed",
    "copied": "Copied from last year – check and confirm",
}


def _display_name(user: Any) -> str:
    return (user.get_full_name() or "").strip() or user.get_username()


def _section_status(items: list[str], answers: dict[str, Answer], required: set[str]) -> str:
    present = [answers[i] for i in items if i in answers and answers[i].value not in ("", None)]
    if not present:
        return "not_started"
    if any(a.copied_from_previous for a in present):
        return "copied"
    if all(i in answers and answers[i].value not in ("", None, []) for i in required):
        return "completed"
    return "in_progress"


def _levels(catalogue: ItemCatalogue, stored: dict[str, Any]) -> dict[str, int]:
    from .services.scoring import compute_score

    result = compute_score(
        edition=catalogue.edition, care_setting=catalogue.care_setting, answers=stored
    )
    return dict(result.domain_levels)


def return_task_list(return_: Return) -> TaskList:
    """Pillars → domains with their status, level and assignee (NHS.UK task list)."""
    catalogue = catalogue_of(return_)
    answers = {a.item_id: a for a in return_.answers.all()}
    stored = {item: a.value for item, a in answers.items()}
    levels = _levels(catalogue, stored)
    assignees = {
        a.domain_id: _display_name(a.assignee)
        for a in Assignment.objects.filter(return_obj=return_).select_related("assignee")
    }
    pillars = []
    done = 0
    for pillar in catalogue.edition.pillars:
        tasks = []
        for domain in catalogue.domains:
            if domain.pillar != pillar.id:
                continue
            criteria = {c.id for c in domain.criteria}
            status = _section_status(catalogue.items_of(domain.id), answers, criteria)
            done += status == "completed"
            tasks.append(
                DomainTask(
                    domain_id=domain.id,
                    name=domain.name,
                    status=status,
                    level=levels.get(domain.id, 1),
                    assignee_name=assignees.get(domain.id),
                    copied=status == "copied",
                )
            )
        if tasks:
            pillars.append(PillarTasks(pillar_id=pillar.id, name=pillar.name, domains=tasks))
    required = {q.id for q in catalogue.enabled_questions(stored) if q.mandatory}
    contextual = _section_status(list(catalogue.questions), answers, required)
    return TaskList(
        pillars=pillars,
        contextual_status=contextual,
        completed=done,
        total=len(catalogue.domains),
    )


@dataclass(frozen=True)
class DomainPageData:
    domain: Domain
    answers: dict[str, Answer]  # criterion ids and narrative:<domain id>
    level: int
    evidence: list[Evidence]
    comments: list[Comment]  # threads (first comments), each with .replies prefetched
    assignment: Assignment | None
    narrative_id: str = ""
    #: What stands between the domain and its next level (criterion ids), from the engine.
    next_level_blockers: tuple[str, ...] = ()


def domain_page_data(return_: Return, domain_id: str) -> DomainPageData:
    """Everything a domain's page shows; ``Http404`` for a domain the return does not answer."""
    from maturity.core.scoring import domain_result

    catalogue = catalogue_of(return_)
    if not catalogue.has_domain(domain_id):
        raise Http404("This return does not answer that domain.")
    domain = catalogue.domain_by_id[domain_id]
    items = catalogue.items_of(domain_id)
    answers = {a.item_id: a for a in return_.answers.filter(item_id__in=items)}
    spec = next(
        s for s in catalogue.edition.scoring_specs(return_.care_setting) if s.id == domain_id
    )
    result = domain_result(spec, {item: a.value for item, a in answers.items()})
    return DomainPageData(
        domain=domain,
        answers=answers,
        level=result.level,
        evidence=list(
            Evidence.objects.current()
            .filter(return_obj=return_, domain_id=domain_id)
            .select_related("uploaded_by")
        ),
        comments=list(
            Comment.objects.filter(return_obj=return_, domain_id=domain_id, parent__isnull=True)
            .select_related("author", "resolved_by")
            .prefetch_related("replies__author")
        ),
        assignment=Assignment.objects.filter(return_obj=return_, domain_id=domain_id)
        .select_related("assignee", "assigned_by")
        .first(),
        narrative_id=narrative_id(domain_id),
        next_level_blockers=result.blocking_criteria,
    )


@dataclass(frozen=True)
class ContextualPageData:
    questions: list[ContextualQuestion]
    answers: dict[str, Answer]
    #: Ids of the questions asked given the answers so far (enable-when conditions).
    enabled: frozenset[str] = field(default_factory=frozenset)


def contextual_page_data(return_: Return) -> ContextualPageData:
    catalogue = catalogue_of(return_)
    answers = {a.item_id: a for a in return_.answers.filter(item_id__in=list(catalogue.questions))}
    stored = {item: a.value for item, a in answers.items()}
    return ContextualPageData(
        questions=list(catalogue.questions.values()),
        answers=answers,
        enabled=frozenset(q.id for q in catalogue.enabled_questions(stored)),
    )


def missing_items(return_: Return) -> list[MissingItem]:
    """Mandatory items not yet answered (or copied and not confirmed), in page order: domains,
    then the contextual questions."""
    stored: dict[str, Any] = {}
    copied: set[str] = set()
    for item_id, value, is_copy in return_.answers.values_list(
        "item_id", "value", "copied_from_previous"
    ):
        stored[item_id] = value
        if is_copy:
            copied.add(item_id)
    return catalogue_of(return_).missing(stored, copied)


def status_history(return_: Return) -> list[ReturnStatusChange]:
    return list(
        ReturnStatusChange.objects.filter(return_obj=return_)
        .select_related("by")
        .order_by("at", "id")
    )


def answer_history(return_: Return, item_id: str | None = None) -> list[AnswerRevision]:
    """Every saved value, oldest first: the amendment history of the return or one item."""
    revisions = AnswerRevision.objects.filter(return_obj=return_).select_related("by")
    if item_id is not None:
        revisions = revisions.filter(item_id=item_id)
    return list(revisions.order_by("at", "id"))


# --- Provisional results ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProvisionalResult:
    return_: Return
    released_at: dt.datetime
    score: Score | None
    replies: list[Any]


def provisional_result(return_: Return) -> ProvisionalResult | None:
    """A committed return's released scores and the organisation's replies, once its cycle's
    results are provisionally released (or published); None before."""
    cycle = return_.cycle
    if cycle.status not in (CycleState.PROVISIONAL_RELEASE, CycleState.PUBLISHED):
        return None
    release = getattr(cycle, "provisional_release", None)
    if release is None or return_.status != ReturnStatus.COMMITTED or return_.is_withdrawn:
        return None
    return ProvisionalResult(
        return_=return_,
        released_at=release.released_at,
        score=Score.objects.filter(return_obj=return_).order_by("-computed_at", "-id").first(),
        replies=list(return_.rights_of_reply.select_related("by")),
    )


# --- Completion (reporting rates) ---------------------------------------------------------------

COMPLETION_GROUPS = ("region", "icb", "care_setting", "organisation")
#: What each grouping drills down to.
DRILL_DOWN = {"region": "icb", "icb": "organisation", "care_setting": "organisation"}
_UNPLACED_LABELS = {"region": "Not in a region", "icb": "Not in an ICB"}


@dataclass(frozen=True)
class CompletionRow:
    """Counts of one group's returns. The four states are exclusive: a late return is one not
    committed by the close date (committed late returns count as committed)."""

    key: str  # "<group>:<code>": region:Y56, icb:QE1, care_setting:acute, organisation:RD1
    label: str
    not_started: int
    in_progress: int
    committed: int
    late: int
    total: int
    rate: float | None  # committed as a percentage of the total, unrounded
    drill_down: str | None = None  # the group_by to pass with within=key


@dataclass(frozen=True)
class CompletionTable:
    rows: list[CompletionRow]
    total: CompletionRow
    group_by: str = "region"
    within: str | None = None
    within_label: str | None = None


def _icb_and_region(returns: QuerySet[Return], on: dt.date) -> QuerySet[Return]:
    """Annotate each return with the ICB and region its organisation was in on ``on``."""
    links = Relationship.objects.valid_on(on)
    direct = (
        links.filter(child_id=OuterRef("organisation_id"), parent__kind=OrganisationKind.ICB)
        .order_by("parent_id")
        .values("parent_id")[:1]
    )
    # Practice → sub-ICB location → ICB; care provider → local authority → ICB.
    via = (
        links.filter(
            parent__kind=OrganisationKind.ICB,
            child_id__in=links.filter(child_id=OuterRef(OuterRef("organisation_id"))).values(
                "parent_id"
            ),
        )
        .order_by("parent_id")
        .values("parent_id")[:1]
    )
    region = (
        links.filter(child_id=OuterRef("icb_id"), parent__kind=OrganisationKind.REGION)
        .order_by("parent_id")
        .values("parent_id")[:1]
    )
    region_of_self = (
        links.filter(child_id=OuterRef("organisation_id"), parent__kind=OrganisationKind.REGION)
        .order_by("parent_id")
        .values("parent_id")[:1]
    )
    return returns.annotate(
        icb_id=Case(
            When(organisation__kind=OrganisationKind.ICB, then=F("organisation_id")),
            default=Coalesce(Subquery(direct), Subquery(via)),
            output_field=BigIntegerField(),
        ),
    ).annotate(
        region_id=Coalesce(
            Subquery(region), Subquery(region_of_self), output_field=BigIntegerField()
        )
    )


def _parse_within(within: str) -> tuple[str, str]:
    """("region" | "icb" | "care_setting" | "organisation", code) from a row key or a bare
    care setting or ODS code."""
    if ":" in within:
        group, code = within.split(":", 1)
        if group not in COMPLETION_GROUPS:
            raise Http404("Unknown grouping.")
        return group, code
    if within in {s.value for s in CareSetting}:
        return "care_setting", within
    kind = (
        Organisation.objects.filter(ods_code=within.upper()).values_list("kind", flat=True).first()
    )
    if kind is None:
        raise Http404("Unknown organisation.")
    if kind in (OrganisationKind.REGION, OrganisationKind.ICB):
        return str(kind), within.upper()
    return "organisation", within.upper()


def completion(
    cycle: Cycle, *, user: Any, group_by: str = "region", within: str | None = None
) -> CompletionTable:
    """How many of a cycle's returns are not started, in progress, committed or late, grouped
    by region, ICB, care setting or organisation; ``within`` (a row key) drills into one group.

    Only returns ``user`` can see are counted. Organisations are placed in the hierarchy as it
    stood on the cycle's opening day. One aggregate query and one for the labels.
    """
    if group_by not in COMPLETION_GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(COMPLETION_GROUPS)}")
    on = cycle.opens_on or timezone.localdate()
    returns = _icb_and_region(returns_visible_to(user).filter(cycle=cycle).active(), on)
    within_label = None
    if within:
        group, code = _parse_within(within)
        if group == "care_setting":
            returns = returns.filter(care_setting=code)
            known = {s.value: s.label for s in CareSetting}
            within_label = known.get(code, code)
        else:
            org = Organisation.objects.filter(ods_code=code).values_list("pk", "name").first()
            if org is None:
                raise Http404("Unknown organisation.")
            field_name = {
                "region": "region_id",
                "icb": "icb_id",
                "organisation": "organisation_id",
            }[group]
            returns = returns.filter(**{field_name: org[0]})
            within_label = org[1]
    group_field = {
        "region": "region_id",
        "icb": "icb_id",
        "care_setting": "care_setting",
        "organisation": "organisation_id",
    }[group_by]
    uncommitted = ~Q(status=ReturnStatus.COMMITTED)
    counts = (
        returns.order_by()
        .values(group_field)
        .annotate(
            not_started=Count("pk", filter=Q(status=ReturnStatus.NOT_STARTED, late=False)),
            in_progress=Count("pk", filter=Q(status=ReturnStatus.IN_PROGRESS, late=False)),
            committed=Count("pk", filter=Q(status=ReturnStatus.COMMITTED)),
            late_count=Count("pk", filter=uncommitted & Q(late=True)),
            total=Count("pk"),
        )
    )
    counts = list(counts)
    labels: dict[Any, tuple[str, str]] = {}
    if group_by == "care_setting":
        for row in counts:
            code = row[group_field]
            try:
                label = CARE_SETTING_LABELS[CareSetting(code)]
            except ValueError:
                label = code
            labels[code] = (code, label)
    else:
        ids = [row[group_field] for row in counts if row[group_field] is not None]
        for pk, ods, name in Organisation.objects.filter(pk__in=ids).values_list(
            "pk", "ods_code", "name"
        ):
            labels[pk] = (ods, name)
    rows = []
    for row in counts:
        code, label = labels.get(row[group_field], ("", _UNPLACED_LABELS.get(group_by, "Unknown")))
        rows.append(
            _row(
                key=f"{group_by}:{code}",
                label=label,
                counts=row,
                drill_down=DRILL_DOWN.get(group_by) if code else None,
            )
        )
    rows.sort(key=lambda r: (r.label == _UNPLACED_LABELS.get(group_by), r.label.lower()))
    total = _row(
        key="total",
        label="Total",
        counts={
            name: sum(r[name] for r in counts)
            for name in ("not_started", "in_progress", "committed", "late_count", "total")
        },
        drill_down=None,
    )
    return CompletionTable(
        rows=rows, total=total, group_by=group_by, within=within, within_label=within_label
    )


def _row(*, key: str, label: str, counts: dict[str, int], drill_down: str | None) -> CompletionRow:
    total = counts["total"]
    return CompletionRow(
        key=key,
        label=label,
        not_started=counts["not_started"],
        in_progress=counts["in_progress"],
        committed=counts["committed"],
        late=counts["late_count"],
        total=total,
        rate=100 * counts["committed"] / total if total else None,
        drill_down=drill_down,
    )


def cycles_visible_to(user: Any) -> QuerySet[Cycle]:
    """Cycles with at least one return the user can see (every cycle for national analysts)."""
    if can_manage_cycles(user):
        return Cycle.objects.select_related("edition")
    return Cycle.objects.filter(
        Exists(returns_visible_to(user).filter(cycle_id=OuterRef("pk")))
    ).select_related("edition")
