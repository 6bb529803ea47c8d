"""Editions read straight from the YAML sources (no database) for the pure interop tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from maturity.core.framework.loader import load_editions
from maturity.core.framework.schema import ContextualQuestion, Edition

EDITIONS_DIR = Path(__file__).resolve().parents[3] / "maturity" / "frameworks" / "editions"


@pytest.fixture(scope="session")
def editions() -> dict[str, Edition]:
    return load_editions(EDITIONS_DIR)


@pytest.fixture(scope="session")
def wgll(editions) -> Edition:
    return editions["wgll-2025"]


@pytest.fixture(scope="session")
def wgll_more_questions(wgll) -> Edition:
    """wgll-2025 plus questions with every other kind of dependency and a text question."""
    extra = [
        ContextualQuestion(
            id="ctx.epr_replacement_reason",
            text="Why is the record being replaced?",
            type="text",
            care_settings=["acute"],
            enable_when={
                "question": "ctx.epr_supplier",
                "operator": "not_equals",
                "answer": "none",
            },
        ),
        ContextualQuestion(
            id="ctx.epr_big_supplier_note",
            text="Which modules of the big supplier's record are live?",
            type="text",
            care_settings=["acute"],
            mandatory=True,
            enable_when={
                "question": "ctx.epr_supplier",
                "operator": "in",
                "answer": ["epic", "oracle_health"],
            },
        ),
        ContextualQuestion(
            id="ctx.ambulance_only_followup",
            text="Asked only after an ambulance question",
            type="yes_no",
            care_settings=["acute", "ambulance"],
            enable_when={
                "question": "ctx.ambulance_only",
                "operator": "equals",
                "answer": True,
            },
        ),
        ContextualQuestion(
            id="ctx.ambulance_only",
            text="An ambulance question",
            type="yes_no",
            care_settings=["ambulance"],
        ),
    ]
    return wgll.model_copy(update={"contextual_questions": [*wgll.contextual_questions, *extra]})


# --- database fixtures ---------------------------------------------------------------------------

PASSWORD = "a-long-test-password-123"
BATH = "ROYAL UNITED HOSPITALS BATH NHS FOUNDATION TRUST"
OXFORD = "OXFORD UNIVERSITY HOSPITALS NHS FOUNDATION TRUST"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.FHIR_CANONICAL_BASE = "https://observatory.test"


@pytest.fixture
def edition_row(db):
    from maturity.frameworks.models import FrameworkEdition
    from maturity.frameworks.services import sync_editions

    sync_editions()
    return FrameworkEdition.objects.get(edition_id="wgll-2025")


@pytest.fixture
def orgs(db) -> dict:
    from maturity.organisations.models import Organisation

    def org(ods_code: str, name: str, kind: str) -> Organisation:
        return Organisation.objects.create(ods_code=ods_code, name=name, kind=kind, source="test")

    return {
        "E92000001": org("E92000001", "England", "nation"),
        "RD1": org("RD1", BATH, "trust"),
        "RTH": org("RTH", OXFORD, "trust"),
    }


@pytest.fixture
def cycle(edition_row):
    import datetime as dt

    from maturity.assessments.models import Cycle

    return Cycle.objects.create(
        year=2026,
        edition=edition_row,
        title="2026 digital maturity assessment",
        status="open",
        opens_on=dt.date(2026, 4, 1),
        closes_on=dt.date(2026, 6, 30),
        review_closes_on=dt.date(2026, 8, 31),
        provisional_release_on=dt.date(2026, 9, 30),
        publication_on=dt.date(2026, 11, 30),
        scope_organisation_kinds=["trust"],
        scope_care_settings=["acute"],
    )


def make_return(cycle, organisation, care_setting: str = "acute"):
    from maturity.assessments.models import Return

    return Return.objects.create(cycle=cycle, organisation=organisation, care_setting=care_setting)


@pytest.fixture
def bath_return(cycle, orgs):
    return make_return(cycle, orgs["RD1"])


@pytest.fixture
def oxford_return(cycle, orgs):
    return make_return(cycle, orgs["RTH"])


def make_user(username: str, organisation=None, role: str | None = None, **names):
    from maturity.accounts.models import Membership, User

    user = User.objects.create_user(username=username, password=PASSWORD, **names)
    if role is not None:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def people(orgs) -> dict:
    return {
        "contributor": make_user(
            "jane", orgs["RD1"], "contributor", first_name="Jane", last_name="Smith"
        ),
        "submitter": make_user("sam", orgs["RD1"], "submitter", first_name="Sam", last_name="Lee"),
        "oxford": make_user("olga", orgs["RTH"], "contributor"),
        "analyst": make_user("nia", orgs["E92000001"], "national_analyst"),
        "nobody": make_user("nemo"),
    }


def save(user, return_, answers: dict) -> None:
    """Answers saved as the product saves them (new items: expected version None)."""
    from maturity.assessments.services import AnswerChange, answers_save

    current = dict(return_.answers.values_list("item_id", "version"))
    result = answers_save(
        by=user,
        return_=return_,
        changes=[AnswerChange(item, value, current.get(item)) for item, value in answers.items()],
    )
    assert not result.conflicts and not result.errors, (result.conflicts, result.errors)
