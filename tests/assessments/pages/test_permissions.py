"""The permission and isolation cases the other page tests do not already cover: each write is
refused (403) to people who can see a return but not change it, and everything about another
organisation's return is a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maturity.assessments import services
from maturity.assessments.models import Answer, Evidence, Return

from .factories import DOMAIN, answer, cycle_dates, open_cycle

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _file(world, return_):
    upload = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    return services.evidence_add_file(
        by=world.other_contributor if return_ == world.oxford_return else world.contributor,
        return_=return_,
        domain_id=DOMAIN,
        uploaded_file=upload,
    )


def test_adding_a_link_is_refused_to_a_system_lead(world, as_user):
    url = reverse("assessments:evidence-link", args=[world.bath_return.pk, DOMAIN])
    response = as_user(world.system_lead).post(url, {"link-url": "https://example.nhs.uk/a"})
    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_removing_evidence_is_refused_to_a_system_lead(world, as_user):
    evidence = _file(world, world.bath_return)
    url = reverse("assessments:evidence-remove", args=[world.bath_return.pk, evidence.pk])
    assert as_user(world.system_lead).post(url).status_code == 403
    evidence.refresh_from_db()
    assert evidence.removed_at is None


def test_evidence_download(world, as_user, client):
    evidence = _file(world, world.bath_return)
    url = reverse("assessments:evidence-download", args=[world.bath_return.pk, evidence.pk])
    assert as_user(world.system_lead).get(url).status_code == 200  # readers may download
    assert client.get(url).status_code == 302  # anonymous: sign in first
    assert as_user(world.other_contributor).get(url).status_code == 404
    other = _file(world, world.oxford_return)
    sneaky = reverse("assessments:evidence-download", args=[world.bath_return.pk, other.pk])
    assert as_user(world.contributor).get(sneaky).status_code == 404


def test_resolving_a_comment_needs_sign_in(world, client):
    thread = services.comment_add(
        by=world.contributor, return_=world.bath_return, domain_id=DOMAIN, body="Query"
    )
    url = reverse("assessments:comment-resolve", args=[world.bath_return.pk, thread.pk])
    assert client.post(url).status_code == 302
    thread.refresh_from_db()
    assert thread.resolved_at is None


def test_confirming_copied_answers_is_refused_to_a_system_lead(world, as_user):
    url = reverse("assessments:confirm", args=[world.bath_return.pk, DOMAIN])
    assert as_user(world.system_lead).post(url).status_code == 403


def test_resolving_a_conflict_is_refused_to_a_system_lead(world, as_user):
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    data = {
        "back": reverse("assessments:domain", args=[world.bath_return.pk, DOMAIN]),
        "item": "sf.epr.l1.a",
        "mine-sf.epr.l1.a": '"not_met"',
        "version-sf.epr.l1.a": "1",
        "keep-sf.epr.l1.a": "mine",
    }
    url = reverse("assessments:resolve", args=[world.bath_return.pk])
    assert as_user(world.system_lead).post(url, data).status_code == 403
    assert Answer.objects.get(item_id="sf.epr.l1.a").value == "met"


def test_resolve_only_returns_to_pages_of_the_same_return(world, as_user):
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    data = {
        "back": "https://evil.example/",
        "item": "sf.epr.l1.a",
        "mine-sf.epr.l1.a": '"not_met"',
        "version-sf.epr.l1.a": "1",
        "keep-sf.epr.l1.a": "mine",
    }
    url = reverse("assessments:resolve", args=[world.bath_return.pk])
    response = as_user(world.contributor).post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:return", args=[world.bath_return.pk])


@pytest.fixture
def icb_cycle(world):
    return services.cycle_open(
        by=world.analyst,
        year=2027,
        edition_id="wgll-2025",
        title="ICB returns 2027",
        organisation_kinds=["icb"],
        care_settings=["icb"],
        **cycle_dates(),
    )


def test_cycles_without_a_readers_returns_are_not_listed_or_reachable(world, icb_cycle, as_user):
    client = as_user(world.system_lead)
    assert "ICB returns 2027" not in client.get(reverse("cycles:index")).content.decode()
    assert client.get(reverse("cycles:completion", args=[icb_cycle.pk])).status_code == 404
    release = reverse("cycles:organisation-release", args=[icb_cycle.pk, "RD1"])
    assert client.get(release).status_code == 404
    assert (
        "ICB returns 2027" in as_user(world.analyst).get(reverse("cycles:index")).content.decode()
    )


def test_reopening_is_refused_to_others(world, as_user):
    services.cycle_close(by=world.analyst, cycle=world.cycle)
    url = reverse("cycles:reopen", args=[world.cycle.pk])
    new_close = dt.date.today() + dt.timedelta(days=10)
    data = {
        "reason": "x",
        "closes_on[day]": str(new_close.day),
        "closes_on[month]": str(new_close.month),
        "closes_on[year]": str(new_close.year),
    }
    for who in (world.submitter, world.system_lead):
        assert as_user(who).get(url).status_code == 403
        assert as_user(who).post(url, data).status_code == 403
    world.cycle.refresh_from_db()
    assert world.cycle.status == "closed"


def test_unknown_cycle_is_404(world, as_user):
    client = as_user(world.analyst)
    for name in ("detail", "scope", "completion", "reopen"):
        assert client.get(reverse(f"cycles:{name}", args=[999999])).status_code == 404


def test_withdrawn_return_explains_why_it_cannot_change(world, as_user):
    services.cycle_set_scope(
        by=world.analyst, cycle=world.cycle, organisation_kinds=["icb"], care_settings=["icb"]
    )
    url = reverse("assessments:domain", args=[world.bath_return.pk, DOMAIN])
    response = as_user(world.contributor).post(url, {"answer-sf.epr.l1.a": "met"})
    assert response.status_code == 403
    assert "withdrawn from the cycle" in response.content.decode()


def test_a_second_cycles_returns_are_listed_under_their_own_cycle(world, as_user):
    open_cycle(world.analyst, year=2025)
    html = as_user(world.contributor).get(reverse("assessments:index")).content.decode()
    assert html.index("Digital maturity assessment 2026") < html.index(
        "Digital maturity assessment 2025"
    )
    assert Return.objects.filter(organisation=world.bath).count() == 2
