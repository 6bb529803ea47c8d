"""Copying last year's answers: a confirmation page with the number of comparable domains, then
copied domains marked "Copied – check and confirm" until someone confirms them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from maturity.assessments.models import Answer, Return

from .factories import DOMAIN, answer, open_cycle

pytestmark = pytest.mark.django_db


def _copy(return_):
    return reverse("assessments:copy", args=[return_.pk])


@pytest.fixture
def last_year(world):
    cycle = open_cycle(world.analyst, year=2025)
    previous = Return.objects.get(cycle=cycle, organisation=world.bath)
    answer(previous, world.contributor, "sf.epr.l1.a", "met")
    answer(previous, world.contributor, "sf.epr.l1.b", "met")
    return previous


def test_copy_page_says_how_many_domains_are_comparable(world, last_year, as_user):
    response = as_user(world.contributor).get(_copy(world.bath_return))
    assert response.status_code == 200
    html = response.content.decode()
    assert "of the 44 domains in this return can be compared with last year’s" in html
    assert "Digital maturity assessment 2025" in html
    assert "Copy last year’s answers</button>" in html or "Copy last year’s answers\n" in html


def test_copy_page_without_a_previous_return(world, as_user):
    html = as_user(world.contributor).get(_copy(world.bath_return)).content.decode()
    assert "there are no answers to copy" in html


def test_copy_then_confirm(world, last_year, as_user):
    client = as_user(world.contributor)
    response = client.post(_copy(world.bath_return))
    assert response.status_code == 302
    copied = Answer.objects.get(return_obj=world.bath_return, item_id="sf.epr.l1.a")
    assert copied.value == "met" and copied.copied_from_previous
    overview = client.get(response["Location"]).content.decode()
    assert "Copied – check and confirm" in overview
    domain_url = reverse("assessments:domain", args=[world.bath_return.pk, DOMAIN])
    page = client.get(domain_url).content.decode()
    assert "Confirm these answers" in page
    confirm = client.post(reverse("assessments:confirm", args=[world.bath_return.pk, DOMAIN]))
    assert confirm.status_code == 302
    copied.refresh_from_db()
    assert not copied.copied_from_previous
    assert "Confirm these answers" not in client.get(domain_url).content.decode()


def test_copy_by_someone_who_cannot_edit_is_403(world, last_year, as_user):
    client = as_user(world.system_lead)
    assert client.get(_copy(world.bath_return)).status_code == 403
    assert client.post(_copy(world.bath_return)).status_code == 403
    assert not Answer.objects.filter(return_obj=world.bath_return).exists()


def test_copy_on_another_organisations_return_is_404(world, last_year, as_user):
    client = as_user(world.other_contributor)
    assert client.get(_copy(world.bath_return)).status_code == 404
    assert client.post(_copy(world.bath_return)).status_code == 404
    confirm = client.post(reverse("assessments:confirm", args=[world.bath_return.pk, DOMAIN]))
    assert confirm.status_code == 404
