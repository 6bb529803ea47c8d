"""A small world for the return pages, built through the services as the product builds it:
England › South West (Y58) › BSW ICB (QOX) › Bath (RD1); Oxford (RTH) in another ICB (QU9,
also South West). One open 2026 cycle on WGLL 2025 for acute trusts, so Bath and Oxford each
have an acute return. People in every role the pages care about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from maturity.accounts.models import Role, User
from maturity.accounts.services import membership_grant
from maturity.assessments import selectors, services
from maturity.assessments.models import Cycle, Return
from maturity.core.framework.schema import QuestionType
from maturity.frameworks.selectors import get_edition
from maturity.organisations.models import Organisation, OrganisationCareSetting, Relationship

PASSWORD = "a-long-test-password-123"
EDITION = "wgll-2025"
DOMAIN = "sf.epr"  # Electronic patient record: acute answers it


def organisation(
    ods_code: str,
    name: str,
    kind: str,
    parent: Organisation | None = None,
    *,
    settings: tuple[str, ...] = (),
) -> Organisation:
    org = Organisation.objects.create(ods_code=ods_code, name=name, kind=kind, source="test")
    if parent is not None:
        Relationship.objects.create(child=org, parent=parent, source="test")
    for setting in settings:
        OrganisationCareSetting.objects.create(
            organisation=org, care_setting=setting, source="test"
        )
    return org


def person(
    username: str,
    organisation: Organisation | None = None,
    role: Role | None = None,
    *,
    first_name: str = "",
    last_name: str = "",
) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name=first_name, last_name=last_name
    )
    if organisation is not None and role is not None:
        membership_grant(by=None, user=user, organisation=organisation, role=role)
    return user


def cycle_dates(today: dt.date | None = None) -> dict[str, dt.date]:
    today = today or dt.date.today()
    return {
        "opens_on": today - dt.timedelta(days=30),
        "closes_on": today + dt.timedelta(days=60),
        "review_closes_on": today + dt.timedelta(days=90),
        "provisional_release_on": today + dt.timedelta(days=120),
        "publication_on": today + dt.timedelta(days=150),
    }


def open_cycle(
    by: User,
    *,
    year: int = 2026,
    title: str | None = None,
    kinds: tuple[str, ...] = ("trust",),
    settings: tuple[str, ...] = ("acute",),
) -> Cycle:
    return services.cycle_open(
        by=by,
        year=year,
        edition_id=EDITION,
        title=title or f"Digital maturity assessment {year}",
        organisation_kinds=list(kinds),
        care_settings=list(settings),
        **cycle_dates(),
    )


@dataclass
class World:
    england: Organisation
    region: Organisation
    icb: Organisation
    other_icb: Organisation
    bath: Organisation
    oxford: Organisation
    analyst: User
    submitter: User
    contributor: User
    other_contributor: User
    system_lead: User
    regional_validator: User
    outsider: User
    cycle: Cycle
    bath_return: Return
    oxford_return: Return


def build_world() -> World:
    england = organisation("E92000001", "England", "nation")
    region = organisation("Y58", "South West", "region", england)
    icb = organisation(
        "QOX", "NHS Bath and North East Somerset, Swindon and Wiltshire ICB", "icb", region
    )
    other_icb = organisation(
        "QU9", "NHS Buckinghamshire, Oxfordshire and Berkshire West ICB", "icb", region
    )
    bath = organisation(
        "RD1",
        "Royal United Hospitals Bath NHS Foundation Trust",
        "trust",
        icb,
        settings=("acute",),
    )
    oxford = organisation(
        "RTH",
        "Oxford University Hospitals NHS Foundation Trust",
        "trust",
        other_icb,
        settings=("acute",),
    )
    analyst = person(
        "analyst", england, Role.NATIONAL_ANALYST, first_name="Nia", last_name="Analyst"
    )
    world = World(
        england=england,
        region=region,
        icb=icb,
        other_icb=other_icb,
        bath=bath,
        oxford=oxford,
        analyst=analyst,
        submitter=person(
            "submitter", bath, Role.SUBMITTER, first_name="Sam", last_name="Submitter"
        ),
        contributor=person(
            "contributor", bath, Role.CONTRIBUTOR, first_name="Cara", last_name="Contributor"
        ),
        other_contributor=person(
            "oxford", oxford, Role.CONTRIBUTOR, first_name="Olu", last_name="Oxford"
        ),
        system_lead=person("lead", icb, Role.SYSTEM_LEAD, first_name="Lee", last_name="Lead"),
        regional_validator=person(
            "validator", region, Role.REGIONAL_VALIDATOR, first_name="Val", last_name="Idator"
        ),
        outsider=person("outsider"),
        cycle=open_cycle(analyst),
        bath_return=None,  # type: ignore[arg-type]
        oxford_return=None,  # type: ignore[arg-type]
    )
    world.bath_return = Return.objects.get(cycle=world.cycle, organisation=bath)
    world.oxford_return = Return.objects.get(cycle=world.cycle, organisation=oxford)
    return world


def question_value(question: Any) -> Any:
    """A valid answer for any contextual question (yes/no answered no, so fewer are asked)."""
    kind = question.type
    if kind == QuestionType.YES_NO:
        return "no"
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


def answer_everything(
    return_: Return, by: User, *, value: str = "met", skip_domain: str | None = None
) -> None:
    """Answer every criterion and every mandatory contextual question asked, through the
    service (all but ``skip_domain``'s criteria, if given)."""
    edition = get_edition(return_.cycle.edition.edition_id)
    changes = [
        services.AnswerChange(criterion.id, value, None)
        for domain in edition.domains_for(return_.care_setting)
        if domain.id != skip_domain
        for criterion in domain.criteria
    ]
    changes += [
        services.AnswerChange(q.id, question_value(q), None)
        for q in edition.questions_for(return_.care_setting)
        if q.enable_when is None
    ]
    result = services.answers_save(by=by, return_=return_, changes=changes)
    assert not result.errors and not result.conflicts, (result.errors, result.conflicts)
    if skip_domain is None:
        assert not selectors.missing_items(return_), selectors.missing_items(return_)


def answer(return_: Return, by: User, item_id: str, value: Any) -> Any:
    current = return_.answers.filter(item_id=item_id).first()
    return services.answer_save(
        by=by,
        return_=return_,
        item_id=item_id,
        value=value,
        expected_version=current.version if current else None,
    )
