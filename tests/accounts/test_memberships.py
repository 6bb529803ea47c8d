"""Granting and revoking roles: the role must fit the organisation's kind, the actor must be
allowed, and every change is audited in the same transaction."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from maturity.accounts.models import Membership, Role, User
from maturity.accounts.permissions import grantable_roles
from maturity.accounts.services import (
    DEMO_PASSWORD,
    DEMO_USERS,
    ensure_demo_users,
    membership_grant,
    membership_revoke,
)
from maturity.audit.models import AuditRecord

from .conftest import make_user

FITS = {
    Role.CONTRIBUTOR: {"RD1", "QOX", "L81001", "1-000000001"},
    Role.SUBMITTER: {"RD1", "QOX", "L81001", "1-000000001"},
    Role.PEER_REVIEWER: {"RD1", "QOX", "L81001", "1-000000001"},
    Role.SYSTEM_LEAD: {"QOX"},
    Role.REGIONAL_VALIDATOR: {"Y58"},
    Role.NATIONAL_ANALYST: {"E92000001"},
    Role.PANEL_MEMBER: {"E92000001"},
}
ALL_ODS = ["E92000001", "W92000004", "Y58", "QOX", "RD1", "L81001", "1-000000001", "E08000001"]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("ods", ALL_ODS)
def test_a_role_is_granted_only_in_an_organisation_of_the_right_kind(orgs, role, ods):
    person = make_user(f"p-{role}-{ods}")
    if ods in FITS[role]:
        membership = membership_grant(by=None, user=person, organisation=orgs[ods], role=role)
        assert membership.is_active
    else:
        with pytest.raises(ValidationError) as caught:
            membership_grant(by=None, user=person, organisation=orgs[ods], role=role)
        assert "role" in caught.value.message_dict
        assert not Membership.objects.filter(user=person).exists()


def test_the_refusal_says_where_the_role_belongs(orgs):
    person = make_user("p")
    with pytest.raises(ValidationError) as caught:
        membership_grant(by=None, user=person, organisation=orgs["RD1"], role=Role.SYSTEM_LEAD)
    assert caught.value.message_dict["role"] == [
        "System lead (ICB) is a role in an integrated care board; "
        "ROYAL UNITED HOSPITALS BATH NHS FOUNDATION TRUST is nhs trust."
    ]
    with pytest.raises(ValidationError) as caught:
        membership_grant(
            by=None, user=person, organisation=orgs["W92000004"], role=Role.PANEL_MEMBER
        )
    assert "England (E92000001)" in caught.value.message_dict["role"][0]


def test_a_grant_is_audited_with_actor_organisation_and_after(orgs, analyst):
    person = make_user("person")
    membership = membership_grant(
        by=analyst, user=person, organisation=orgs["RD1"], role="submitter"
    )
    record = AuditRecord.objects.get(action="membership.granted", target_id=str(membership.pk))
    assert record.actor_id == analyst.pk
    assert record.organisation_id == orgs["RD1"].pk
    assert record.before is None
    assert record.after == {
        "user": "person",
        "organisation": "RD1",
        "role": "submitter",
        "active": True,
    }


def test_granting_an_active_role_again_changes_nothing(orgs, analyst):
    person = make_user("person")
    first = membership_grant(
        by=analyst, user=person, organisation=orgs["RD1"], role=Role.CONTRIBUTOR
    )
    again = membership_grant(
        by=analyst, user=person, organisation=orgs["RD1"], role=Role.CONTRIBUTOR
    )
    assert first.pk == again.pk
    assert (
        AuditRecord.objects.filter(action="membership.granted", target_id=str(first.pk)).count()
        == 1
    )


def test_a_revoke_is_kept_and_audited_once(orgs, analyst):
    person = make_user("person")
    membership = membership_grant(
        by=analyst, user=person, organisation=orgs["RD1"], role=Role.CONTRIBUTOR
    )
    membership_revoke(by=analyst, membership=membership)
    membership_revoke(by=analyst, membership=membership)
    membership.refresh_from_db()
    assert membership.revoked_at is not None and membership.revoked_by == analyst
    records = AuditRecord.objects.filter(action="membership.revoked", target_id=str(membership.pk))
    assert records.count() == 1
    assert records.get().before["active"] is True and records.get().after["active"] is False
    # A role can be given again after it was revoked.
    assert (
        membership_grant(by=analyst, user=person, organisation=orgs["RD1"], role="contributor").pk
        != membership.pk
    )


def test_a_submitter_grants_only_contributor_and_submitter_in_their_own_organisation(
    orgs, submitter
):
    person = make_user("person")
    assert grantable_roles(submitter, orgs["RD1"]) == [Role.CONTRIBUTOR, Role.SUBMITTER]
    membership_grant(by=submitter, user=person, organisation=orgs["RD1"], role=Role.CONTRIBUTOR)
    membership_grant(by=submitter, user=person, organisation=orgs["RD1"], role=Role.SUBMITTER)
    with pytest.raises(PermissionDenied):
        membership_grant(
            by=submitter, user=person, organisation=orgs["RD1"], role=Role.PEER_REVIEWER
        )
    with pytest.raises(PermissionDenied):
        membership_grant(by=submitter, user=person, organisation=orgs["RN3"], role=Role.CONTRIBUTOR)
    other = membership_grant(by=None, user=person, organisation=orgs["RN3"], role=Role.CONTRIBUTOR)
    with pytest.raises(PermissionDenied):
        membership_revoke(by=submitter, membership=other)
    assert Membership.objects.active().filter(user=person).count() == 3


def test_contributors_and_people_without_roles_grant_nothing(orgs, contributor, nobody):
    person = make_user("person")
    for actor in (contributor, nobody):
        with pytest.raises(PermissionDenied):
            membership_grant(by=actor, user=person, organisation=orgs["RD1"], role=Role.CONTRIBUTOR)
    mine = Membership.objects.get(user=contributor)
    with pytest.raises(PermissionDenied):
        membership_revoke(by=contributor, membership=mine)


def test_an_analyst_grants_every_role_where_it_fits(orgs, analyst):
    person = make_user("person")
    for role, places in FITS.items():
        for ods in places:
            membership_grant(by=analyst, user=person, organisation=orgs[ods], role=role)
    assert Membership.objects.active().filter(user=person).count() == sum(map(len, FITS.values()))


def test_a_deactivated_account_is_not_given_roles(orgs, analyst):
    person = make_user("person", is_active=False)
    with pytest.raises(ValidationError):
        membership_grant(by=analyst, user=person, organisation=orgs["RD1"], role=Role.CONTRIBUTOR)


def test_a_revoked_analyst_loses_the_power_to_grant(orgs, analyst):
    membership_revoke(by=analyst, membership=Membership.objects.get(user=analyst))
    with pytest.raises(PermissionDenied):
        membership_grant(
            by=analyst, user=make_user("p"), organisation=orgs["RD1"], role="contributor"
        )


# --- demo users -----------------------------------------------------------------------------------


def test_there_is_a_demo_user_for_every_role():
    assert {d.role for d in DEMO_USERS} == set(Role)
    assert len({d.username for d in DEMO_USERS}) == len(DEMO_USERS)
    by_name = {d.username: d for d in DEMO_USERS}
    assert (by_name["analyst"].role, by_name["panel"].role) == (
        Role.NATIONAL_ANALYST,
        Role.PANEL_MEMBER,
    )


def test_demo_users_are_created_with_their_roles_and_can_sign_in(orgs):
    made = ensure_demo_users()
    assert made == list(DEMO_USERS)
    for demo in DEMO_USERS:
        user = authenticate(username=demo.username, password=DEMO_PASSWORD)
        assert user is not None, demo.username
        assert (
            Membership.objects.active()
            .filter(user=user, role=demo.role, organisation__ods_code=demo.organisation_ods)
            .exists()
        )
    # Two contributors at different trusts, for isolation demonstrations.
    contributors = {d.organisation_ods for d in DEMO_USERS if d.role == Role.CONTRIBUTOR}
    assert contributors == {"RD1", "RN3"}
    # Idempotent: a second run adds nothing.
    count = Membership.objects.count(), User.objects.count(), AuditRecord.objects.count()
    ensure_demo_users()
    assert (Membership.objects.count(), User.objects.count(), AuditRecord.objects.count()) == count


def test_demo_users_whose_organisation_is_missing_are_not_listed(db):
    assert ensure_demo_users() == []
    assert not User.objects.exists()


def test_the_demo_command_prints_every_sign_in(orgs, monkeypatch, capsys):
    from maturity.web.management.commands import demo

    monkeypatch.setattr(demo, "build_demo", lambda progress: ensure_demo_users())
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    for d in DEMO_USERS:
        assert f"username {d.username}" in out and Role(d.role).label in out


# --- grant-role command ---------------------------------------------------------------------------


def test_grant_role_makes_the_first_analyst(orgs):
    person = make_user("first")
    call_command("grant_role", "first", "national_analyst", "e92000001")
    assert Membership.objects.active().filter(user=person, role=Role.NATIONAL_ANALYST).exists()
    assert AuditRecord.objects.filter(action="membership.granted", actor__isnull=True).exists()
    with pytest.raises(CommandError, match="integrated care board"):
        call_command("grant_role", "first", "system_lead", "RD1")
    with pytest.raises(CommandError, match="No user"):
        call_command("grant_role", "ghost", "contributor", "RD1")
