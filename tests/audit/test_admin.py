from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from maturity.accounts.models import Role, User
from maturity.accounts.services import membership_grant
from maturity.audit.models import AuditRecord
from maturity.organisations.models import Organisation


@pytest.fixture
def admin_client_(db, client):
    # The admin admits national analysts only; being a superuser is not enough.
    user = User.objects.create_user(username="analyst", password="a-long-test-password")
    england = Organisation.objects.create(
        ods_code="E92000001", name="England", kind="nation", source="test"
    )
    membership_grant(by=None, user=user, organisation=england, role=Role.NATIONAL_ANALYST)
    client.force_login(user)
    return client, user


def test_the_admin_cannot_add_change_or_delete(admin_client_):
    _, user = admin_client_
    request = RequestFactory().get("/")
    request.user = user
    model_admin = site._registry[AuditRecord]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


def test_a_national_analyst_can_read_records_in_the_admin(admin_client_, append):
    client, _ = admin_client_
    (made,) = append(before={"sf.epr.l2.a": "not_met"}, after={"sf.epr.l2.a": "met"})
    listing = client.get("/admin/audit/auditrecord/")
    assert listing.status_code == 200 and b"answer.saved" in listing.content
    detail = client.get(f"/admin/audit/auditrecord/{made.sequence}/change/")
    assert detail.status_code == 200
    assert "Jane Smith saved sf.epr.l2.a: not met → met" in detail.content.decode()
    assert b'name="_save"' not in detail.content
    assert client.get(f"/admin/audit/auditrecord/{made.sequence}/delete/").status_code == 403
    assert client.get("/admin/audit/auditrecord/add/").status_code == 403
    response = client.post(
        f"/admin/audit/auditrecord/{made.sequence}/change/", {"reason": "edited in the admin"}
    )
    assert response.status_code == 403
    assert AuditRecord.objects.get(sequence=made.sequence).reason == ""
