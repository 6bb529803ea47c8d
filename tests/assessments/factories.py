"""A small hand-built cohort for the assessment services, built through the services.

England › North (Y61) › ICB North A (QNA): Alpha (RA1: acute, community), Beta (RB1: acute)
                      › ICB North B (QNB): Gamma (RC1: mental health)
England › South (Y62) › ICB South C (QSC): Delta (RD1: ambulance)

ICBs answer icb and primary care. One person per role; ``open_cycle`` opens a cycle through
:func:`cycle_open` (trusts and ICBs, every care setting), which creates the returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from maturity.accounts.models import Role, User
from maturity.accounts.services import membership_grant
from maturity.assessments import selectors, services
from maturity.assessments.models import Cycle, Return
from maturity.core.framework.schema import QuestionType
from maturity.frameworks.selectors import get_edition
from maturity.organisations.models import Organisation, OrganisationCareSetting, Relationship

EDITION = "wgll-2025"
DOMAIN = "sf.epr"  # every trust care setting answers it
TODAY = dt.date(2026, 11, 23)
DATES = {
    "opens_on": dt.date(2026, 11, 1),
    "closes_on": dt.date(2027, 1, 31),
    "review_closes_on": dt.date(2027, 3, 31),
    "provisional_release_on": dt.date(2027, 4, 30),
    "publication_on": dt.date(2027, 6, 30),
}
ALL_SETTINGS = ["acute", "mental_health", "community", "ambulance", "icb", "primary_care"]


def organisation(
    ods_code: str,
    name: str,
    kind: str,
    parent: Organisation | None = None,
    *,
    settings: tuple[str, ...] = (),
) -> Organisation:
    org = Organisation.objects.create(
        ods_code=ods_code, name=name, kind=kind, source="test", opened_on=dt.date(2000, 4, 1)
    )
    if parent is not None:
        Relationship.objects.create(child=org, parent=parent, source="test")
    for setting in settings:
        OrganisationCareSetting.objects.create(
            organisation=org, care_setting=setting, source="test"
        )
    return org


def person(
    username: str, organisation: Organisation | None = None, role: Role | None = None, **extra: Any
) -> User:
    user = User.objects.create_user(
        username=username,
        email=extra.pop("email", f"{username}@example.nhs.uk"),
        first_name=extra.pop("first_name", username.capitalize()),
        **extra,
    )
    if organisation is not None and role is not None:
        membership_grant(by=None, user=user, organisation=organisation, role=role)
    return user


@dataclass
class Cohort:
    england: Organisation
    north: Organisation
    south: Organisation
    icb_a: Organisation
    icb_b: Organisation
    icb_c: Organisation
    alpha: Organisation
    beta: Organisation
    gamma: Organisation
    delta: Organisation
    analyst: User
    people: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)


def build_cohort() -> Cohort:
    england = organisation("E92000001", "England", "nation")
    north = organisation("Y61", "North", "region", england)
    south = organisation("Y62", "South", "region", england)
    icb_settings = ("icb", "primary_care")
    icb_a = organisation("QNA", "ICB North A", "icb", north, settings=icb_settings)
    icb_b = organisation("QNB", "ICB North B", "icb", north, settings=icb_settings)
    icb_c = organisation("QSC", "ICB South C", "icb", south, settings=icb_settings)
    alpha = organisation("RA1", "Alpha NHS Trust", "trust", icb_a, settings=("acute", "community"))
    beta = organisation("RB1", "Beta NHS Trust", "trust", icb_a, settings=("acute",))
    gamma = organisation("RC1", "Gamma NHS Trust", "trust", icb_b, settings=("mental_health",))
    delta = organisation("RD1", "Delta NHS Trust", "trust", icb_c, settings=("ambulance",))
    cohort = Cohort(
        england=england,
        north=north,
        south=south,
        icb_a=icb_a,
        icb_b=icb_b,
        icb_c=icb_c,
        alpha=alpha,
        beta=beta,
        gamma=gamma,
        delta=delta,
        analyst=person("analyst", england, Role.NATIONAL_ANALYST),
    )
    cohort.people.update(
        alpha_submitter=person("alpha_submitter", alpha, Role.SUBMITTER),
        alpha_contributor=person("alpha_contributor", alpha, Role.CONTRIBUTOR),
        alpha_contributor_2=person("alpha_contributor_2", alpha, Role.CONTRIBUTOR),
        alpha_reviewer=person("alpha_reviewer", alpha, Role.PEER_REVIEWER),
        beta_submitter=person("beta_submitter", beta, Role.SUBMITTER),
        beta_contributor=person("beta_contributor", beta, Role.CONTRIBUTOR),
        gamma_submitter=person("gamma_submitter", gamma, Role.SUBMITTER),
        delta_submitter=person("delta_submitter", delta, Role.SUBMITTER),
        lead_a=person("lead_a", icb_a, Role.SYSTEM_LEAD),
        lead_c=person("lead_c", icb_c, Role.SYSTEM_LEAD),
        north_validator=person("north_validator", north, Role.REGIONAL_VALIDATOR),
        panel=person("panel", england, Role.PANEL_MEMBER),
        nobody=person("nobody"),
    )
    return cohort


def open_cycle(
    by: User,
    *,
    year: int = 2026,
    kinds: tuple[str, ...] = ("trust", "icb"),
    settings: tuple[str, ...] = tuple(ALL_SETTINGS),
    is_demonstration: bool = False,
    **dates: dt.date,
) -> Cycle:
    return services.cycle_open(
        by=by,
        year=year,
        edition_id=EDITION,
        title=f"Digital maturity assessment {year}",
        organisation_kinds=list(kinds),
        care_settings=list(settings),
        is_demonstration=is_demonstration,
        **(DATES | dates),
    )


def return_of(cycle: Cycle, organisation: Organisation, care_setting: str) -> Return:
    return Return.objects.select_related("cycle__edition", "organisation").get(
        cycle=cycle, organisation=organisation, care_setting=care_setting
    )


def question_value(question: Any) -> Any:
    """A valid answer for any contextual question (yes/no answered no, so fewer are asked)."""
    kind = question.type
    if kind == QuestionType.YES_NO:
        return False
    if kind == QuestionType.SINGLE_CHOICE:
        return question.options[0].value
    if kind == QuestionType.MULTIPLE_CHOICE:
        return [question.options[0].value]
    if kind == QuestionType.PERCENTAGE:
        return 50
    if kind == QuestionType.INTEGER:
        return max(question.minimum or 0, 10)
    if kind == QuestionType.DATE:
        return "2024-04-01"
    return "Some text"


def answer_everything(return_: Return, by: User, *, value: str = "met") -> None:
    """Answer every mandatory item through the service, so the return can be committed."""
    edition = get_edition(return_.cycle.edition.edition_id)
    changes = [
        services.AnswerChange(criterion.id, value, None)
        for domain in edition.domains_for(return_.care_setting)
        for criterion in domain.criteria
    ]
    changes += [
        services.AnswerChange(q.id, question_value(q), None)
        for q in edition.questions_for(return_.care_setting)
        if q.enable_when is None
    ]
    result = services.answers_save(by=by, return_=return_, changes=changes)
    assert not result.errors and not result.conflicts, (result.errors, result.conflicts)
    assert selectors.missing_items(return_) == []


def save(return_: Return, by: User, item_id: str, value: Any) -> Any:
    """Save as an editor who has just read the item."""
    current = return_.answers.filter(item_id=item_id).first()
    return services.answer_save(
        by=by,
        return_=return_,
        item_id=item_id,
        value=value,
        expected_version=current.version if current else None,
    )
