"""Commit (submitters only, complete returns only) and unlock (national analysts, a reason)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from maturity.assessments import services
from maturity.assessments.models import ReturnStatus

from .factories import answer, answer_everything

pytestmark = pytest.mark.django_db


def _commit(return_):
    return reverse("assessments:commit", args=[return_.pk])


def _unlock(return_):
    return reverse("assessments:unlock", args=[return_.pk])


def test_commit_lists_missing_items_linking_to_each(world, as_user):
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    response = as_user(world.submitter).get(_commit(world.bath_return))
    assert response.status_code == 200
    html = response.content.decode()
    assert "You cannot commit this return yet" in html
    domain = reverse("assessments:domain", args=[world.bath_return.pk, "sf.epr"])
    assert f'href="{domain}#item-sf-epr-l1-b"' in html
    assert f'href="{domain}#item-sf-epr-l1-a"' not in html  # answered
    context = reverse("assessments:context", args=[world.bath_return.pk])
    assert f'href="{context}#item-ctx-epr_in_place"' in html
    assert 'type="submit"' not in html.split('id="maincontent"')[1]


def test_commit_post_with_missing_items_is_refused(world, as_user):
    answer(world.bath_return, world.contributor, "sf.epr.l1.a", "met")
    response = as_user(world.submitter).post(_commit(world.bath_return))
    assert response.status_code == 400
    assert "You cannot commit this return yet" in response.content.decode()
    world.bath_return.refresh_from_db()
    assert world.bath_return.status == ReturnStatus.IN_PROGRESS


def test_submitter_commits_a_complete_return(world, as_user):
    answer_everything(world.bath_return, world.contributor)
    client = as_user(world.submitter)
    page = client.get(_commit(world.bath_return)).content.decode()
    assert "Once committed the return is locked; only NHS England can unlock it" in page
    response = client.post(_commit(world.bath_return))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:return", args=[world.bath_return.pk])
    world.bath_return.refresh_from_db()
    assert world.bath_return.status == ReturnStatus.COMMITTED
    overview = client.get(response["Location"]).content.decode()
    assert "committed and is locked" in overview


def test_contributor_cannot_commit(world, as_user):
    answer_everything(world.bath_return, world.contributor)
    client = as_user(world.contributor)
    assert client.get(_commit(world.bath_return)).status_code == 403
    assert client.post(_commit(world.bath_return)).status_code == 403
    world.bath_return.refresh_from_db()
    assert world.bath_return.status == ReturnStatus.IN_PROGRESS


def test_commit_on_another_organisations_return_is_404(world, as_user):
    assert as_user(world.submitter).get(_commit(world.oxford_return)).status_code == 404
    assert as_user(world.submitter).post(_commit(world.oxford_return)).status_code == 404


def _committed(world):
    answer_everything(world.bath_return, world.contributor)
    services.return_commit(by=world.submitter, return_=world.bath_return)


def test_analyst_unlocks_with_a_reason(world, as_user):
    _committed(world)
    client = as_user(world.analyst)
    overview = client.get(reverse("assessments:return", args=[world.bath_return.pk]))
    assert _unlock(world.bath_return) in overview.content.decode()
    page = client.get(_unlock(world.bath_return))
    assert page.status_code == 200
    assert "Why are you unlocking this return?" in page.content.decode()
    response = client.post(_unlock(world.bath_return), {"reason": "Wrong EPR level reported"})
    assert response.status_code == 302
    world.bath_return.refresh_from_db()
    assert world.bath_return.status == ReturnStatus.IN_PROGRESS
    audit = client.get(reverse("assessments:audit", args=[world.bath_return.pk])).content.decode()
    assert "Wrong EPR level reported" in audit


def test_unlock_needs_a_reason(world, as_user):
    _committed(world)
    response = as_user(world.analyst).post(_unlock(world.bath_return), {"reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert "Enter why you are unlocking this return" in html
    world.bath_return.refresh_from_db()
    assert world.bath_return.status == ReturnStatus.COMMITTED


@pytest.mark.parametrize("who", ["submitter", "contributor", "system_lead", "regional_validator"])
def test_only_national_analysts_can_unlock(world, as_user, who):
    _committed(world)
    client = as_user(getattr(world, who))
    assert client.get(_unlock(world.bath_return)).status_code == 403
    assert client.post(_unlock(world.bath_return), {"reason": "x"}).status_code == 403
    world.bath_return.refresh_from_db()
    assert world.bath_return.status == ReturnStatus.COMMITTED


def test_unlock_on_another_organisations_return_is_404(world, as_user):
    response = as_user(world.other_contributor).get(_unlock(world.bath_return))
    assert response.status_code == 404
