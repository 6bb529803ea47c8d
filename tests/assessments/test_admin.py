"""The cycles admin: national analysts open and rescope cycles through the services."""

from __future__ import annotations

import pytest
from django.test import Client

from maturity.assessments.models import Cycle, Return
from maturity.audit.models import AuditRecord
from maturity.frameworks.models import FrameworkEdition

from .factories import DATES

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(**overrides) -> dict:
    data = {
        "year": 2026,
        "edition": FrameworkEdition.objects.get(edition_id="wgll-2025").pk,
        "title": "Digital maturity assessment 2026",
        "scope_organisation_kinds": ["trust"],
        "scope_care_settings": ["acute", "community"],
        **{name: value.isoformat() for name, value in DATES.items()},
    }
    return data | overrides


def test_an_analyst_opens_a_cycle_in_the_admin(cohort):
    client = client_for(cohort.analyst)
    response = client.post("/admin/assessments/cycle/add/", _form())
    assert response.status_code == 302
    cycle = Cycle.objects.get()
    assert (cycle.status, cycle.opened_by) == ("open", cohort.analyst)
    assert set(Return.objects.values_list("organisation__ods_code", "care_setting")) == {
        ("RA1", "acute"),
        ("RA1", "community"),
        ("RB1", "acute"),
    }
    assert AuditRecord.objects.filter(action="cycle.opened").count() == 1

    change = client.post(
        f"/admin/assessments/cycle/{cycle.pk}/change/",
        {"scope_organisation_kinds": ["trust"], "scope_care_settings": ["acute"]},
    )
    assert change.status_code == 302
    assert Return.objects.active().count() == 2
    assert client.get(f"/admin/assessments/return/?cycle__id__exact={cycle.pk}").status_code == 200


def test_refusals_are_shown_and_nothing_is_opened(cohort):
    client = client_for(cohort.analyst)
    response = client.post(
        "/admin/assessments/cycle/add/", _form(closes_on="2026-10-01"), follow=True
    )
    assert response.status_code == 200
    assert "The close date must be after the opening date." in response.content.decode()
    assert not Cycle.objects.exists()
    client.post("/admin/assessments/cycle/add/", _form())
    again = client.post("/admin/assessments/cycle/add/", _form(), follow=True)
    assert "already a cycle for this year and edition" in again.content.decode()
    assert Cycle.objects.count() == 1


@pytest.mark.parametrize("who", ["alpha_submitter", "lead_a", "panel"])
def test_the_cycles_admin_is_for_analysts_only(cohort, who):
    response = client_for(getattr(cohort, who)).post("/admin/assessments/cycle/add/", _form())
    assert response.status_code in (302, 403)
    assert not Cycle.objects.exists()
