"""A small world for peer review, built through the services as the product builds it.

England › North (Y61) › ICB North A (QNA): Alpha (RA1, acute), Alder (RA2, acute)
                      › ICB North B (QNB): Beta (RB1, acute)
England › South (Y62) › ICB South C (QSC): Gamma (RC1, acute)

A cycle is opened for the trusts' acute returns, every return answered to known levels and
committed by its submitter. People hold one role each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from maturity.accounts.models import Role, User
from maturity.accounts.services import membership_grant
from maturity.core.framework import load_editions
from maturity.core.framework.schema import QuestionType
from maturity.organisations.models import (
    Organisation,
    OrganisationCareSetting,
    OrganisationFact,
    Relationship,
)
from tests.browser.conftest import browser, visitor  # noqa: F401  (browser tests)

PASSWORD = "a-long-test-password-123"
EDITION = "wgll-2025"
#: Every return's domains are at level 3 except these.
LEVELS = {"sf.epr": 4, "sf.cyber": 2, "wl.strategy": 5}


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(scope="session")
def _parsed_editions():
    from maturity.frameworks.services import EDITIONS_DIR

    return load_editions(EDITIONS_DIR)


@pytest.fixture
def editions(db, monkeypatch, _parsed_editions):
    from maturity.frameworks import selectors as framework_selectors
    from maturity.frameworks import services as framework_services

    shipped = framework_services.EDITIONS_DIR
    monkeypatch.setattr(
        framework_services,
        "load_editions",
        lambda path: _parsed_editions if Path(path) == shipped else load_editions(path),
    )
    framework_selectors._cache.clear()
    return framework_services.sync_editions()


def organisation(ods, name, kind, parent=None, *, settings=(), size=None) -> Organisation:
    org = Organisation.objects.create(
        ods_code=ods, name=name, kind=kind, source="test", opened_on=dt.date(2000, 4, 1)
    )
    if parent is not None:
        Relationship.objects.create(child=org, parent=parent, source="test")
    for setting in settings:
        OrganisationCareSetting.objects.create(
            organisation=org, care_setting=setting, source="test"
        )
    if size is not None:
        OrganisationFact.objects.create(
            organisation=org,
            key="catchment_population",
            value=size,
            as_of=dt.date(2025, 1, 1),
            source="test",
        )
    return org


def person(username: str, org: Organisation | None = None, role: Role | None = None) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.nhs.uk",
        first_name=username.replace("_", " ").capitalize(),
    )
    if org is not None and role is not None:
        membership_grant(by=None, user=user, organisation=org, role=role)
    return user


def _question_value(question: Any) -> Any:
    kind = question.type
    if kind == QuestionType.YES_NO:
        return True
    if kind == QuestionType.SINGLE_CHOICE:
        return question.options[0].value
    if kind == QuestionType.MULTIPLE_CHOICE:
        return [question.options[0].value]
    if kind == QuestionType.PERCENTAGE:
        return 80
    if kind == QuestionType.INTEGER:
        return max(question.minimum or 0, 10)
    if kind == QuestionType.DATE:
        return "2020-04-01"
    return "Some text"


def answers_for_levels(edition, care_setting: str, levels: dict[str, int], default: int = 3):
    """Answers that put each domain at its level, and an answer to every question asked."""
    answers: dict[str, Any] = {}
    for domain in edition.domains_for(care_setting):
        target = levels.get(domain.id, default)
        for level in domain.levels:
            for criterion in level.criteria:
                answers[criterion.id] = "met" if level.level <= target else "not_met"
    contextual: dict[str, Any] = {}
    for _ in range(3):  # some questions are asked only after another's answer
        new = [
            q for q in edition.enabled_questions(care_setting, contextual) if q.id not in contextual
        ]
        if not new:
            break
        for q in new:
            contextual[q.id] = q.clean_answer(_question_value(q))
    answers.update(
        {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in contextual.items()}
    )
    return answers


def commit_with_levels(return_, submitter: User, levels: dict[str, int]) -> None:
    """Answer and commit a return directly (the assessment services are tested elsewhere and
    answering hundreds of items through them one by one is slow), then score it with the
    assessment service, as a commit does."""
    from maturity.assessments.models import Answer, Return
    from maturity.assessments.services import score_return_and_store
    from maturity.frameworks.selectors import get_edition

    edition = get_edition(return_.cycle.edition.edition_id)
    answers = answers_for_levels(edition, return_.care_setting, levels)
    Answer.objects.bulk_create(
        Answer(return_obj=return_, item_id=item, value=value) for item, value in answers.items()
    )
    Return.objects.filter(pk=return_.pk).update(
        status="committed", committed_at=timezone.now(), committed_by=submitter
    )
    score_return_and_store(
        return_=Return.objects.select_related("cycle__edition").get(pk=return_.pk)
    )


@dataclass
class World:
    orgs: dict[str, Organisation]
    people: dict[str, User]
    cycle: Any
    returns: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)


def build_world(levels: dict[str, dict[str, int]] | None = None) -> World:
    from maturity.assessments import services
    from maturity.assessments.models import Return
    from maturity.reviews.calibration_cases import calibration_cases_sync

    england = organisation("E92000001", "England", "nation")
    north = organisation("Y61", "North", "region", england)
    south = organisation("Y62", "South", "region", england)
    qna = organisation("QNA", "ICB North A", "icb", north)
    qnb = organisation("QNB", "ICB North B", "icb", north)
    qsc = organisation("QSC", "ICB South C", "icb", south)
    orgs = {
        "E92000001": england,
        "Y61": north,
        "Y62": south,
        "QNA": qna,
        "QNB": qnb,
        "QSC": qsc,
        "RA1": organisation(
            "RA1", "Alpha NHS Trust", "trust", qna, settings=("acute",), size=500_000
        ),
        "RA2": organisation(
            "RA2", "Alder NHS Trust", "trust", qna, settings=("acute",), size=450_000
        ),
        "RB1": organisation(
            "RB1", "Beta NHS Trust", "trust", qnb, settings=("acute",), size=480_000
        ),
        "RC1": organisation(
            "RC1", "Gamma NHS Trust", "trust", qsc, settings=("acute",), size=520_000
        ),
    }
    people = {
        "analyst": person("analyst", england, Role.NATIONAL_ANALYST),
        "panel": person("panel", england, Role.PANEL_MEMBER),
        "lead_a": person("lead_a", qna, Role.SYSTEM_LEAD),
        "lead_c": person("lead_c", qsc, Role.SYSTEM_LEAD),
        "north_validator": person("north_validator", north, Role.REGIONAL_VALIDATOR),
        "nobody": person("nobody"),
    }
    for code in ("RA1", "RA2", "RB1", "RC1"):
        low = code.lower()
        people[f"{low}_submitter"] = person(f"{low}_submitter", orgs[code], Role.SUBMITTER)
        people[f"{low}_contributor"] = person(f"{low}_contributor", orgs[code], Role.CONTRIBUTOR)
        people[f"{low}_reviewer"] = person(f"{low}_reviewer", orgs[code], Role.PEER_REVIEWER)
    today = timezone.localdate()
    cycle = services.cycle_open(
        by=people["analyst"],
        year=today.year,
        edition_id=EDITION,
        title=f"Digital maturity assessment {today.year}",
        organisation_kinds=["trust"],
        care_settings=["acute"],
        opens_on=today - dt.timedelta(days=30),
        closes_on=today + dt.timedelta(days=30),
        review_closes_on=today + dt.timedelta(days=60),
        provisional_release_on=today + dt.timedelta(days=90),
        publication_on=today + dt.timedelta(days=120),
    )
    world = World(orgs=orgs, people=people, cycle=cycle)
    for code in ("RA1", "RA2", "RB1", "RC1"):
        return_ = Return.objects.select_related("cycle__edition", "organisation").get(
            cycle=cycle, organisation=orgs[code], care_setting="acute"
        )
        submitter = people[f"{code.lower()}_submitter"]
        commit_with_levels(return_, submitter, (levels or {}).get(code, LEVELS))
        world.returns[code] = Return.objects.select_related("cycle__edition", "organisation").get(
            pk=return_.pk
        )
    calibration_cases_sync()
    return world


@pytest.fixture
def world(editions) -> World:
    return build_world()


def calibrate(user: User, cycle, *, level: int | None = None) -> None:
    """Score every calibration case (the reference level, or ``level``)."""
    from maturity.reviews import services
    from maturity.reviews.models import CalibrationCase

    services.calibration_scores_save(
        by=user,
        cycle=cycle,
        levels={
            c.case_id: level or c.reference_level
            for c in CalibrationCase.objects.filter(active=True)
        },
    )


@pytest.fixture
def matched(world) -> World:
    """The world with every return matched to a reviewer."""
    from maturity.reviews import services

    services.matching_run(by=world.analyst, cycle=world.cycle)
    return world


def assignment_of(world: World, code: str, kind: str = "primary"):
    from maturity.reviews.models import PeerReviewAssignment

    return (
        PeerReviewAssignment.objects.exclude(status="replaced")
        .select_related("reviewer_organisation", "return_obj")
        .get(return_obj=world.returns[code], kind=kind)
    )


def reviewer_for(world: World, assignment) -> User:
    return world.people[f"{assignment.reviewer_organisation.ods_code.lower()}_reviewer"]
