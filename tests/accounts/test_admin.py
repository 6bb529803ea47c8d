"""The Django admin admits only active national analysts, and its writes to memberships and
tokens go through the audited services."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.sites import site

from maturity.accounts.models import ApiToken, Membership, Role
from maturity.accounts.services import api_token_create, membership_grant
from maturity.audit.models import AuditRecord
from maturity.web.admin import ObservatoryAdminSite

from .conftest import make_user


def test_the_default_admin_site_is_the_restricted_one():
    assert isinstance(site, ObservatoryAdminSite)


def test_anonymous_visitors_are_sent_to_the_service_sign_in(client, db):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/sign-in/?next=/admin/"


@pytest.mark.parametrize("superuser", [False, True])
def test_staff_who_are_not_analysts_are_refused(client, orgs, superuser):
    staff = make_user("staff", is_staff=True, is_superuser=superuser)
    membership_grant(by=None, user=staff, organisation=orgs["RD1"], role=Role.SUBMITTER)
    client.force_login(staff)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert client.get("/admin/accounts/user/").status_code in (302, 403)
    assert client.get("/admin/accounts/user/", follow=True).status_code == 403


def test_an_analyst_is_admitted_without_being_staff(client, analyst, contributor):
    assert not analyst.is_staff and not analyst.is_superuser
    client.force_login(analyst)
    assert client.get("/admin/").status_code == 200
    for path in (
        "/admin/accounts/user/",
        f"/admin/accounts/user/{contributor.pk}/change/",
        "/admin/accounts/membership/",
        "/admin/accounts/membership/add/",
        "/admin/accounts/apitoken/",
        "/admin/accounts/loginattempt/",
        "/admin/accounts/oidcidentity/",
    ):
        assert client.get(path).status_code == 200, path
    # The admin's own login page sends a signed-in analyst on.
    assert client.get("/admin/login/?next=/admin/accounts/user/").url == "/admin/accounts/user/"
    assert client.get("/admin/login/?next=https://evil.example/").url == "/admin/"


def test_a_deactivated_or_revoked_analyst_is_refused(client, analyst):
    client.force_login(analyst)
    membership = Membership.objects.get(user=analyst)
    from maturity.accounts.services import membership_revoke

    membership_revoke(by=analyst, membership=membership)
    assert client.get("/admin/", follow=True).status_code == 403


def test_the_user_form_offers_no_staff_superuser_or_permission_flags(client, analyst, contributor):
    client.force_login(analyst)
    page = client.get(f"/admin/accounts/user/{contributor.pk}/change/").content.decode()
    for name in ("is_staff", "is_superuser", "groups", "user_permissions"):
        assert f'name="{name}"' not in page


def test_adding_a_membership_in_the_admin_goes_through_the_service(client, orgs, analyst, nobody):
    client.force_login(analyst)
    response = client.post(
        "/admin/accounts/membership/add/",
        {"user": nobody.pk, "organisation": "rd1", "role": "contributor"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=nobody)
    assert membership.granted_by == analyst and membership.organisation.ods_code == "RD1"
    assert AuditRecord.objects.filter(
        action="membership.granted", target_id=str(membership.pk), actor=analyst
    ).exists()


def test_the_admin_refuses_a_role_that_does_not_fit(client, orgs, analyst, nobody):
    client.force_login(analyst)
    response = client.post(
        "/admin/accounts/membership/add/",
        {"user": nobody.pk, "organisation": "RD1", "role": "system_lead"},
    )
    assert response.status_code == 200
    assert "is a role in an integrated care board" in response.content.decode()
    response = client.post(
        "/admin/accounts/membership/add/",
        {"user": nobody.pk, "organisation": "NOPE", "role": "contributor"},
    )
    assert "No organisation has that ODS code." in response.content.decode()
    assert not Membership.objects.filter(user=nobody).exists()


def test_memberships_are_read_only_and_revoked_by_an_audited_action(client, analyst, contributor):
    client.force_login(analyst)
    membership = Membership.objects.get(user=contributor)
    detail = client.get(f"/admin/accounts/membership/{membership.pk}/change/").content.decode()
    assert 'name="_save"' not in detail
    assert client.get(f"/admin/accounts/membership/{membership.pk}/delete/").status_code == 403
    response = client.post(
        "/admin/accounts/membership/",
        {"action": "revoke_selected", "_selected_action": [membership.pk]},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.revoked_by == analyst
    assert AuditRecord.objects.filter(
        action="membership.revoked", target_id=str(membership.pk)
    ).exists()
    assert Membership.objects.filter(pk=membership.pk).exists()  # kept, not deleted


def _inline_post(page: str, overrides: dict) -> dict:
    """The change form's fields as the browser would send them, with ``overrides``."""
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data[name] = value
    data.update(overrides)
    return data


def test_the_user_inline_grants_and_revokes_through_the_services(
    client, orgs, analyst, contributor
):
    client.force_login(analyst)
    existing = Membership.objects.get(user=contributor)
    url = f"/admin/accounts/user/{contributor.pk}/change/"
    page = client.get(url).content.decode()
    prefix = "memberships"
    data = _inline_post(
        page,
        {
            "username": "contributor",
            "is_active": "on",
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-INITIAL_FORMS": "1",
            f"{prefix}-0-id": str(existing.pk),
            f"{prefix}-0-user": str(contributor.pk),
            f"{prefix}-0-DELETE": "on",
            f"{prefix}-1-user": str(contributor.pk),
            f"{prefix}-1-organisation": "QOX",
            f"{prefix}-1-role": "peer_reviewer",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    existing.refresh_from_db()
    assert existing.revoked_by == analyst
    new = Membership.objects.active().get(user=contributor)
    assert (new.organisation.ods_code, new.role, new.granted_by) == (
        "QOX",
        "peer_reviewer",
        analyst,
    )
    actions = set(AuditRecord.objects.filter(actor=analyst).values_list("action", flat=True))
    assert {"membership.revoked", "membership.granted"} <= actions


def test_user_changes_in_the_admin_are_audited(client, analyst, contributor):
    client.force_login(analyst)
    url = f"/admin/accounts/user/{contributor.pk}/change/"
    data = _inline_post(
        client.get(url).content.decode(),
        {"username": "contributor", "email": "c@example.nhs.uk", "is_active": "on"},
    )
    assert client.post(url, data).status_code == 302
    record = AuditRecord.objects.get(action="user.changed")
    assert record.before["email"] == "" and record.after["email"] == "c@example.nhs.uk"


def test_tokens_are_seen_and_revoked_but_never_made_or_edited(client, analyst, contributor):
    token, secret = api_token_create(by=contributor, user=contributor, name="upload")
    client.force_login(analyst)
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    detail = client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert token.secret_hash in detail and 'name="secret_hash"' not in detail
    assert secret.split("_", 2)[2] not in detail
    response = client.post(
        "/admin/accounts/apitoken/", {"action": "revoke_selected", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_by == analyst


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/accounts/user/", "/admin/accounts/membership/add/"]
)
def test_admin_pages_have_no_inline_script(client, analyst, path):
    client.force_login(analyst)
    page = client.get(path).content.decode()
    inline = [s for s in re.findall(r"<script([^>]*)>", page) if "src=" not in s]
    assert inline == []
