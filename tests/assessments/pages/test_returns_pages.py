"""Your returns, the task list (overview) and the audit page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .factories import DOMAIN, answer

pytestmark = pytest.mark.django_db


def _index():
    return reverse("assessments:index")


# --- your returns ---------------------------------------------------------------------------------


def test_your_returns_lists_own_returns_grouped_by_cycle(world, as_user):
    response = as_user(world.contributor).get(_index())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>Digital maturity assessment 2026</h2>" in html
    assert world.bath.name in html
    assert reverse("assessments:return", args=[world.bath_return.pk]) in html
    assert "Not started" in html


def test_your_returns_never_lists_another_organisations_returns(world, as_user):
    html = as_user(world.contributor).get(_index()).content.decode()
    assert world.oxford.name not in html
    assert reverse("assessments:return", args=[world.oxford_return.pk]) not in html


def test_your_returns_sends_anonymous_visitors_to_sign_in(world, client):
    response = client.get(_index())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_your_returns_for_someone_without_a_role_is_empty(world, as_user):
    html = as_user(world.outsider).get(_index()).content.decode()
    assert "You have no returns to see yet" in html


def test_your_returns_search_by_name(world, as_user):
    html = as_user(world.analyst).get(_index(), {"q": "oxford"}).content.decode()
    assert world.oxford.name in html
    assert world.bath.name not in html


def test_status_tag_follows_the_return(world, as_user):
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    html = as_user(world.contributor).get(_index()).content.decode()
    assert "In progress" in html


# --- the task list --------------------------------------------------------------------------------


def _overview(return_):
    return reverse("assessments:return", args=[return_.pk])


def test_overview_shows_pillars_domains_and_statuses(world, as_user):
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    response = as_user(world.contributor).get(_overview(world.bath_return))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>Ensure smart foundations</h2>" in html
    assert reverse("assessments:domain", args=[world.bath_return.pk, DOMAIN]) in html
    assert "Electronic patient record" in html
    assert "In progress" in html  # sf.epr
    assert "Not yet started" in html  # the others
    assert "Contextual questions" in html
    assert reverse("assessments:context", args=[world.bath_return.pk]) in html
    assert "Level 1" in html
    # Contributors can copy and see the audit, but not commit or unlock.
    assert reverse("assessments:copy", args=[world.bath_return.pk]) in html
    assert reverse("assessments:audit", args=[world.bath_return.pk]) in html
    assert reverse("assessments:commit", args=[world.bath_return.pk]) not in html
    assert reverse("assessments:unlock", args=[world.bath_return.pk]) not in html


def test_overview_offers_commit_to_the_submitter_only(world, as_user):
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    html = as_user(world.submitter).get(_overview(world.bath_return)).content.decode()
    assert reverse("assessments:commit", args=[world.bath_return.pk]) in html


def test_overview_shows_recent_changes_from_the_audit_trail(world, as_user):
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    html = as_user(world.contributor).get(_overview(world.bath_return)).content.decode()
    assert "The latest changes to this return" in html
    assert "Cara Contributor" in html or "contributor" in html


def test_overview_counts_open_comments(world, as_user):
    from maturity.assessments import services

    services.comment_add(
        by=world.contributor, return_=world.bath_return, domain_id=DOMAIN, body="Who owns this?"
    )
    html = as_user(world.submitter).get(_overview(world.bath_return)).content.decode()
    assert "1 open comment" in html


def test_overview_of_another_organisations_return_is_404(world, as_user):
    assert as_user(world.contributor).get(_overview(world.oxford_return)).status_code == 404


def test_overview_for_someone_without_a_role_is_404(world, as_user):
    assert as_user(world.outsider).get(_overview(world.bath_return)).status_code == 404


def test_overview_is_visible_to_the_icbs_system_lead_and_the_regions_validator(world, as_user):
    assert as_user(world.system_lead).get(_overview(world.bath_return)).status_code == 200
    assert as_user(world.system_lead).get(_overview(world.oxford_return)).status_code == 404
    assert as_user(world.regional_validator).get(_overview(world.oxford_return)).status_code == 200


def test_overview_sends_anonymous_visitors_to_sign_in(world, client):
    assert client.get(_overview(world.bath_return)).status_code == 302


# --- audit ----------------------------------------------------------------------------------------


def _audit(return_):
    return reverse("assessments:audit", args=[return_.pk])


def test_audit_page_lists_every_change(world, as_user):
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "not_met")
    response = as_user(world.submitter).get(_audit(world.bath_return))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Changes to this return, newest first" in html
    assert html.count("saved sf.epr.l1.a") == 2


def test_audit_page_of_another_organisations_return_is_404(world, as_user):
    assert as_user(world.contributor).get(_audit(world.oxford_return)).status_code == 404


def test_audit_page_needs_sign_in(world, client):
    assert client.get(_audit(world.bath_return)).status_code == 302
