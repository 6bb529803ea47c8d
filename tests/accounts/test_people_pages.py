"""People pages: analysts manage anyone anywhere; a submitter manages contributors and submitters
of their own organisation; another organisation's page is a 404."""

from __future__ import annotations

from maturity.accounts.models import Membership, Role
from maturity.accounts.services import membership_grant
from maturity.audit.models import AuditRecord

from .conftest import make_user


def test_an_analyst_finds_an_organisation_and_grants_and_revokes(client, orgs, analyst, nobody):
    client.force_login(analyst)
    assert client.get("/accounts/people/").status_code == 200
    found = client.get("/accounts/people/", {"ods_code": " rd1 "})
    assert found.status_code == 302 and found.url == "/accounts/people/RD1/"

    page = client.get("/accounts/people/QOX/").content.decode()
    assert 'value="system_lead"' in page  # roles offered fit the organisation

    response = client.post(
        "/accounts/people/RD1/",
        {"person": "nobody@example.nhs.uk", "role": "peer_reviewer"},
        follow=True,
    )
    assert "nobody is now peer reviewer at ROYAL UNITED HOSPITALS BATH" in response.content.decode()
    membership = Membership.objects.active().get(user=nobody)
    assert (membership.organisation.ods_code, membership.role, membership.granted_by) == (
        "RD1",
        "peer_reviewer",
        analyst,
    )
    assert AuditRecord.objects.filter(
        action="membership.granted", target_id=str(membership.pk), actor=analyst
    ).exists()

    response = client.post(f"/accounts/people/RD1/memberships/{membership.pk}/revoke/", follow=True)
    assert "nobody is no longer peer reviewer" in response.content.decode()
    membership.refresh_from_db()
    assert membership.revoked_by == analyst
    assert AuditRecord.objects.filter(
        action="membership.revoked", target_id=str(membership.pk)
    ).exists()


def test_the_analyst_index_lists_organisations_with_people(client, orgs, analyst, contributor):
    client.force_login(analyst)
    page = client.get("/accounts/people/").content.decode()
    assert "/accounts/people/RD1/" in page and "/accounts/people/E92000001/" in page
    assert "/accounts/people/RN3/" not in page


def test_an_unknown_ods_code_is_an_error_not_a_crash(client, orgs, analyst):
    client.force_login(analyst)
    response = client.get("/accounts/people/", {"ods_code": "ZZZ"})
    assert response.status_code == 400
    assert "No organisation you can manage has the ODS code ZZZ" in response.content.decode()


def test_a_submitter_manages_their_own_organisation(client, orgs, submitter, nobody):
    client.force_login(submitter)
    index = client.get("/accounts/people/").content.decode()
    assert "/accounts/people/RD1/" in index and "Find organisation" not in index
    page = client.get("/accounts/people/RD1/").content.decode()
    assert 'value="contributor"' in page and 'value="submitter"' in page
    assert 'value="peer_reviewer"' not in page
    response = client.post("/accounts/people/RD1/", {"person": "nobody", "role": "contributor"})
    assert response.status_code == 302
    assert (
        Membership.objects.active()
        .filter(user=nobody, role="contributor", organisation__ods_code="RD1")
        .exists()
    )


def test_a_submitter_cannot_grant_a_role_they_are_not_offered(client, orgs, submitter, nobody):
    client.force_login(submitter)
    response = client.post("/accounts/people/RD1/", {"person": "nobody", "role": "peer_reviewer"})
    assert response.status_code == 400
    assert "Select a role from the list" in response.content.decode()
    assert not Membership.objects.filter(user=nobody).exists()


def test_a_submitter_of_one_trust_gets_404_on_another(
    client, orgs, submitter, other_trust_contributor, nobody
):
    client.force_login(submitter)
    assert client.get("/accounts/people/RN3/").status_code == 404
    assert (
        client.post(
            "/accounts/people/RN3/", {"person": "nobody", "role": "contributor"}
        ).status_code
        == 404
    )
    theirs = Membership.objects.get(user=other_trust_contributor)
    assert client.post(f"/accounts/people/RN3/memberships/{theirs.pk}/revoke/").status_code == 404
    # Nor through their own organisation's address.
    assert client.post(f"/accounts/people/RD1/memberships/{theirs.pk}/revoke/").status_code == 404
    assert client.get("/accounts/people/", {"ods_code": "RN3"}).status_code == 400
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert not Membership.objects.filter(user=nobody).exists()


def test_people_without_a_managing_role_are_refused(client, orgs, contributor):
    client.force_login(contributor)
    assert client.get("/accounts/people/").status_code == 403
    assert client.get("/accounts/people/RD1/").status_code == 404
    mine = Membership.objects.get(user=contributor)
    assert client.post(f"/accounts/people/RD1/memberships/{mine.pk}/revoke/").status_code == 404


def test_unknown_people_and_duplicate_emails_get_clear_messages(client, orgs, submitter):
    client.force_login(submitter)
    response = client.post("/accounts/people/RD1/", {"person": "ghost", "role": "contributor"})
    assert response.status_code == 400
    assert "No active account has that username or email address" in response.content.decode()
    make_user("twin1", email="same@example.nhs.uk")
    make_user("twin2", email="SAME@example.nhs.uk")
    response = client.post(
        "/accounts/people/RD1/", {"person": "same@example.nhs.uk", "role": "contributor"}
    )
    assert "More than one account has that email address" in response.content.decode()
    response = client.post("/accounts/people/RD1/", {"person": "", "role": ""})
    assert "Enter a username or email address" in response.content.decode()
    assert "Select a role" in response.content.decode()


def test_the_account_page_lists_roles_and_links(client, orgs, submitter, analyst):
    membership_grant(by=None, user=submitter, organisation=orgs["QOX"], role=Role.CONTRIBUTOR)
    client.force_login(submitter)
    page = client.get("/accounts/").content.decode()
    assert "ROYAL UNITED HOSPITALS BATH" in page and "Submitter (CIO or deputy)" in page
    assert "/accounts/people/" in page and "/accounts/api-tokens/" in page
    assert "/admin/" not in page
    client.force_login(analyst)
    assert "/admin/" in client.get("/accounts/").content.decode()


# --- API tokens page ------------------------------------------------------------------------------


def test_the_api_tokens_page_shows_a_new_secret_once(client, contributor):
    from maturity.accounts.models import ApiToken

    client.force_login(contributor)
    response = client.post("/accounts/api-tokens/", {"name": "Nightly upload"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=contributor)
    page = response.content.decode()
    start = page.index('<code id="new-token">') + len('<code id="new-token">')
    secret = page[start : page.index("</code>", start)]
    assert secret.startswith(f"dmo_{token.prefix}_")
    later = client.get("/accounts/api-tokens/").content.decode()
    assert "Nightly upload" in later and secret not in later and f"dmo_{token.prefix}" in later


def test_a_token_name_is_required(client, contributor):
    client.force_login(contributor)
    response = client.post("/accounts/api-tokens/", {"name": ""})
    assert response.status_code == 400
    assert "Enter a name for the token" in response.content.decode()


def test_people_revoke_their_own_tokens_only(client, orgs, contributor, submitter):
    from maturity.accounts.models import ApiToken
    from maturity.accounts.services import api_token_create

    mine, _ = api_token_create(by=contributor, user=contributor, name="mine")
    theirs, _ = api_token_create(by=submitter, user=submitter, name="theirs")
    client.force_login(contributor)
    assert client.post(f"/accounts/api-tokens/{theirs.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    response = client.post(f"/accounts/api-tokens/{mine.pk}/revoke/", follow=True)
    assert "Token ‘mine’ revoked" in response.content.decode()
    assert ApiToken.objects.get(pk=mine.pk).revoked_at is not None
    assert client.get(f"/accounts/api-tokens/{mine.pk}/revoke/").status_code == 405


def test_the_analyst_index_is_paged(client, orgs, analyst):
    from maturity.organisations.models import Organisation

    for i in range(55):
        org = Organisation.objects.create(
            ods_code=f"T{i:03d}", name=f"Trust {i:03d}", kind="trust", source="test"
        )
        membership_grant(by=None, user=make_user(f"u{i}"), organisation=org, role=Role.CONTRIBUTOR)
    client.force_login(analyst)
    first = client.get("/accounts/people/").content.decode()
    assert "/accounts/people/T000/" in first and "/accounts/people/T054/" not in first
    assert 'href="?page=2"' in first and "Page 2 of 2" in first
    second = client.get("/accounts/people/", {"page": "2"}).content.decode()
    assert "/accounts/people/T054/" in second and 'href="?page=1"' in second
    assert client.get("/accounts/people/", {"page": "nonsense"}).status_code == 200
