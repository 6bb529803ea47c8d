"""Cycle pages: national analysts open and rescope cycles, close and release them; completion
(reporting rates) for analysts, system leads (their ICB) and regional validators (their region);
each organisation's provisional results with its right of reply."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from maturity.assessments import services
from maturity.assessments.models import Cycle, Return, RightOfReply

from .factories import answer_everything, cycle_dates

pytestmark = pytest.mark.django_db


def _date_fields(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}[day]": str(day.day),
        f"{prefix}[month]": str(day.month),
        f"{prefix}[year]": str(day.year),
    }


def _new_cycle_data(**overrides) -> dict:
    data = {
        "year": "2027",
        "title": "Digital maturity assessment 2027",
        "edition_id": "wgll-2025",
        "organisation_kinds": ["trust"],
        "care_settings": ["acute"],
    }
    for name, day in cycle_dates().items():
        data.update(_date_fields(name, day))
    data.update(overrides)
    return data


# --- list -----------------------------------------------------------------------------------------


def test_cycle_list_for_an_analyst(world, as_user):
    response = as_user(world.analyst).get(reverse("cycles:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Digital maturity assessment 2026" in html
    assert reverse("cycles:new") in html


def test_cycle_list_for_a_system_lead_has_no_open_button(world, as_user):
    html = as_user(world.system_lead).get(reverse("cycles:index")).content.decode()
    assert "Digital maturity assessment 2026" in html
    assert reverse("cycles:new") not in html


def test_cycle_list_is_refused_to_contributors(world, as_user):
    assert as_user(world.contributor).get(reverse("cycles:index")).status_code == 403


# --- open a cycle ---------------------------------------------------------------------------------


def test_analyst_opens_a_cycle(world, as_user):
    client = as_user(world.analyst)
    form = client.get(reverse("cycles:new")).content.decode()
    assert 'name="opens_on[day]"' in form and 'name="publication_on[year]"' in form
    assert 'value="trust"' in form and 'value="acute"' in form
    response = client.post(reverse("cycles:new"), _new_cycle_data())
    assert response.status_code == 302
    cycle = Cycle.objects.get(year=2027)
    assert response["Location"] == reverse("cycles:detail", args=[cycle.pk])
    assert set(cycle.returns.values_list("organisation__ods_code", flat=True)) == {"RD1", "RTH"}


def test_opening_a_cycle_checks_the_form(world, as_user):
    data = _new_cycle_data(year="", care_settings=[])
    data.update(_date_fields("closes_on", dt.date(2000, 1, 1)))
    data["opens_on[month]"] = "13"
    response = as_user(world.analyst).post(reverse("cycles:new"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter the year" in html
    assert "Select at least one care setting" in html
    assert "Enter a real date" in html
    assert 'href="#id_opens_on-day"' in html
    assert not Cycle.objects.filter(year=2027).exists()


def test_opening_a_second_cycle_for_the_same_year_and_edition_is_refused(world, as_user):
    response = as_user(world.analyst).post(reverse("cycles:new"), _new_cycle_data(year="2026"))
    assert response.status_code == 400
    assert "already" in response.content.decode()


@pytest.mark.parametrize("who", ["submitter", "system_lead", "regional_validator"])
def test_only_analysts_open_cycles(world, as_user, who):
    client = as_user(getattr(world, who))
    assert client.get(reverse("cycles:new")).status_code == 403
    assert client.post(reverse("cycles:new"), _new_cycle_data()).status_code == 403
    assert not Cycle.objects.filter(year=2027).exists()


# --- detail, scope, close, release ----------------------------------------------------------------


def test_cycle_detail(world, as_user):
    response = as_user(world.analyst).get(reverse("cycles:detail", args=[world.cycle.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Completion by care setting" in html
    assert "NHS trust" in html and "Acute" in html
    assert reverse("cycles:scope", args=[world.cycle.pk]) in html


def test_cycle_detail_is_refused_to_contributors(world, as_user):
    response = as_user(world.contributor).get(reverse("cycles:detail", args=[world.cycle.pk]))
    assert response.status_code == 403


def test_cycle_detail_of_a_cycle_a_system_lead_has_no_returns_in_is_404(world, as_user):
    other = services.cycle_open(
        by=world.analyst,
        year=2027,
        edition_id="wgll-2025",
        title="ICBs only",
        organisation_kinds=["icb"],
        care_settings=["icb"],
        **cycle_dates(),
    )
    assert not other.returns.filter(organisation=world.bath).exists()
    response = as_user(world.system_lead).get(reverse("cycles:detail", args=[other.pk]))
    assert response.status_code == 404


def test_analyst_changes_the_scope(world, as_user):
    client = as_user(world.analyst)
    url = reverse("cycles:scope", args=[world.cycle.pk])
    form = client.get(url).content.decode()
    assert re.search(r'name="organisation_kinds" type="checkbox" value="trust"\s*checked', form)
    assert not re.search(r'name="organisation_kinds" type="checkbox" value="icb"\s*checked', form)
    response = client.post(url, {"organisation_kinds": ["icb"], "care_settings": ["icb"]})
    assert response.status_code == 302
    world.bath_return.refresh_from_db()
    assert world.bath_return.withdrawn_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "2 returns withdrawn" in page


@pytest.mark.parametrize("who", ["submitter", "system_lead"])
def test_only_analysts_change_the_scope(world, as_user, who):
    url = reverse("cycles:scope", args=[world.cycle.pk])
    client = as_user(getattr(world, who))
    assert client.get(url).status_code == 403
    data = {"organisation_kinds": ["icb"], "care_settings": ["icb"]}
    assert client.post(url, data).status_code == 403
    world.bath_return.refresh_from_db()
    assert world.bath_return.withdrawn_at is None


def test_close_then_release_provisional_results(world, as_user):
    answer_everything(world.bath_return, world.contributor)
    services.return_commit(by=world.submitter, return_=world.bath_return)
    client = as_user(world.analyst)
    closed = client.post(reverse("cycles:close", args=[world.cycle.pk]))
    assert closed.status_code == 302
    world.cycle.refresh_from_db()
    assert world.cycle.status == "closed"
    world.oxford_return.refresh_from_db()
    assert world.oxford_return.late
    released = client.post(reverse("cycles:release", args=[world.cycle.pk]))
    assert released.status_code == 302
    world.cycle.refresh_from_db()
    assert world.cycle.status == "provisional_release"
    assert "released to 1 organisation" in client.get(released["Location"]).content.decode()


def test_only_analysts_close_and_release(world, as_user):
    client = as_user(world.submitter)
    assert client.post(reverse("cycles:close", args=[world.cycle.pk])).status_code == 403
    assert client.post(reverse("cycles:release", args=[world.cycle.pk])).status_code == 403
    world.cycle.refresh_from_db()
    assert world.cycle.status == "open"


def test_analyst_reopens_a_closed_cycle(world, as_user):
    client = as_user(world.analyst)
    client.post(reverse("cycles:close", args=[world.cycle.pk]))
    url = reverse("cycles:reopen", args=[world.cycle.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    new_close = dt.date.today() + dt.timedelta(days=10)
    data = {"reason": "Extension for the EPR go-live", **_date_fields("closes_on", new_close)}
    assert client.post(url, data).status_code == 302
    world.cycle.refresh_from_db()
    assert (world.cycle.status, world.cycle.closes_on) == ("open", new_close)


# --- completion -----------------------------------------------------------------------------------


def _completion(cycle, **params):
    return reverse("cycles:completion", args=[cycle.pk]), params


def test_completion_by_region_then_icb_then_organisation(world, as_user):
    answer_everything(world.bath_return, world.contributor)
    services.return_commit(by=world.submitter, return_=world.bath_return)
    client = as_user(world.analyst)
    url, _ = _completion(world.cycle)
    regions = client.get(url).content.decode()
    assert "South West" in regions
    assert "50%" in regions  # one of two committed
    assert "?by=icb&amp;within=region%3AY58" in regions
    icbs = client.get(url, {"by": "icb", "within": "region:Y58"}).content.decode()
    assert "NHS Bath and North East Somerset" in icbs and "Buckinghamshire" in icbs
    orgs = client.get(url, {"by": "organisation", "within": "icb:QOX"}).content.decode()
    assert world.bath.name in orgs and world.oxford.name not in orgs
    assert "100%" in orgs


def test_completion_for_a_system_lead_counts_only_their_icb(world, as_user):
    url, _ = _completion(world.cycle)
    html = as_user(world.system_lead).get(url, {"by": "organisation"}).content.decode()
    assert world.bath.name in html
    assert world.oxford.name not in html


def test_completion_for_a_regional_validator_covers_the_region(world, as_user):
    url, _ = _completion(world.cycle)
    html = as_user(world.regional_validator).get(url, {"by": "organisation"}).content.decode()
    assert world.bath.name in html and world.oxford.name in html


@pytest.mark.parametrize("who", ["contributor", "submitter", "outsider"])
def test_completion_is_refused_to_organisations(world, as_user, who):
    url, _ = _completion(world.cycle)
    assert as_user(getattr(world, who)).get(url).status_code == 403


# --- provisional results --------------------------------------------------------------------------


@pytest.fixture
def released(world):
    answer_everything(world.bath_return, world.contributor)
    services.return_commit(by=world.submitter, return_=world.bath_return)
    services.cycle_close(by=world.analyst, cycle=world.cycle)
    services.provisional_release(by=world.analyst, cycle=world.cycle)
    return world


def _release(world, ods="RD1"):
    return reverse("cycles:organisation-release", args=[world.cycle.pk, ods])


def test_provisional_results_and_right_of_reply(released, as_user):
    world = released
    client = as_user(world.submitter)
    page = client.get(_release(world))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Provisional results for" in html
    assert "Overall" in html and "5.0" in html  # everything met
    assert "Your reply" in html
    reply_url = reverse("assessments:reply", args=[world.bath_return.pk])
    response = client.post(
        reply_url, {f"reply-{world.bath_return.pk}-text": "Our EPR count is 12, not 11."}
    )
    assert response.status_code == 302
    assert RightOfReply.objects.get().text == "Our EPR count is 12, not 11."
    assert "Our EPR count is 12, not 11." in client.get(_release(world)).content.decode()


def test_an_empty_reply_is_refused(released, as_user):
    world = released
    reply_url = reverse("assessments:reply", args=[world.bath_return.pk])
    response = as_user(world.submitter).post(reply_url, {})
    assert response.status_code == 400
    assert "Enter your reply" in response.content.decode()


def test_provisional_results_before_release(world, as_user):
    html = as_user(world.submitter).get(_release(world)).content.decode()
    assert "There are no provisional results for this return yet" in html
    assert "Your reply" not in html


def test_provisional_results_of_another_organisation_are_404(released, as_user):
    world = released
    assert as_user(world.other_contributor).get(_release(world)).status_code == 404
    reply_url = reverse("assessments:reply", args=[world.bath_return.pk])
    response = as_user(world.other_contributor).post(
        reply_url, {f"reply-{world.bath_return.pk}-text": "x"}
    )
    assert response.status_code == 404
    assert not RightOfReply.objects.exists()


def test_a_system_lead_reads_but_cannot_reply(released, as_user):
    world = released
    client = as_user(world.system_lead)
    html = client.get(_release(world)).content.decode()
    assert "Provisional results for" in html and "Your reply" not in html
    reply_url = reverse("assessments:reply", args=[world.bath_return.pk])
    response = client.post(reply_url, {f"reply-{world.bath_return.pk}-text": "x"})
    assert response.status_code == 403
    assert not RightOfReply.objects.exists()
    assert Return.objects.count() == 2


def test_open_validation_queries_show_with_the_provisional_results(released, as_user):
    from django.utils import timezone

    from maturity.reviews.models import FlagStatus, ValidationFlag

    world = released
    now = timezone.now()
    ValidationFlag.objects.create(
        cycle=world.cycle,
        return_obj=world.bath_return,
        kind="straight_lining",
        explanation="Every domain has the same level.",
        method="test",
        status=FlagStatus.QUERIED,
        raised_at=now,
        refreshed_at=now,
        decided_at=now,
        decided_by=world.analyst,
        decision_reason="Please tell us how the levels were agreed.",
    )
    html = as_user(world.submitter).get(_release(world)).content.decode()
    assert "Validation queries to answer" in html
    assert "Please tell us how the levels were agreed." in html
    assert "Reply<span" in html  # the submitter can answer it
    lead = as_user(world.system_lead).get(_release(world)).content.decode()
    assert "Please tell us how the levels were agreed." in lead and "Reply<span" not in lead
