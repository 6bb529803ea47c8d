"""Bearer tokens: stored hashed, compared in constant time, refused when revoked or the account
is deactivated, and accepted alongside the session on API routes."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import timezone
from ninja import Router
from ninja.security import django_auth
from ninja.testing import TestClient

from maturity.accounts import api_auth
from maturity.accounts.api_auth import token_auth
from maturity.accounts.models import ApiToken
from maturity.accounts.services import api_token_create, api_token_revoke
from maturity.audit.models import AuditRecord

from .conftest import make_user


@pytest.fixture
def issued(contributor):
    return api_token_create(by=contributor, user=contributor, name="Nightly upload")


def authenticate(token: str):
    request = RequestFactory().get("/api/v1/x", HTTP_AUTHORIZATION=f"Bearer {token}")
    return token_auth(request), request


def test_a_valid_token_authenticates_its_owner_and_sets_request_user(contributor, issued):
    _, secret = issued
    user, request = authenticate(secret)
    assert user == contributor
    assert request.user == contributor


def test_the_secret_is_never_stored_only_its_sha256(issued):
    token, full = issued
    assert full.startswith(f"dmo_{token.prefix}_")
    secret = full.removeprefix(f"dmo_{token.prefix}_")
    assert len(secret) >= 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(value) for value in stored.values())


def test_a_wrong_secret_is_refused(issued):
    token, full = issued
    assert authenticate(f"dmo_{token.prefix}_{'x' * 43}")[0] is None
    assert authenticate(full[:-1] + ("A" if full[-1] != "A" else "B"))[0] is None


@pytest.mark.parametrize(
    "presented",
    ["", "dmo_", "nonsense", "dmo_short_secret", "dmo_0123456789ab", "dmo_0123456789ab_"],
)
def test_malformed_or_unknown_tokens_are_refused(issued, presented):
    assert api_auth.user_for_token(presented) is None


def test_a_revoked_token_is_refused(contributor, issued):
    token, full = issued
    api_token_revoke(by=contributor, token=token)
    assert authenticate(full)[0] is None


def test_a_deactivated_account_token_is_refused(contributor, issued):
    _, full = issued
    contributor.is_active = False
    contributor.save()
    assert authenticate(full)[0] is None


def test_hashes_are_compared_with_hmac_compare_digest(monkeypatch, issued):
    token, full = issued
    calls = []
    real = api_auth.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(api_auth.hmac, "compare_digest", spy)
    assert api_auth.user_for_token(full) is not None
    assert calls and calls[-1][1] == token.secret_hash.encode()
    # An unknown prefix still costs a constant-time compare, so a miss is not faster.
    calls.clear()
    assert api_auth.user_for_token(f"dmo_{'f' * 12}_{'x' * 43}") is None
    assert len(calls) == 1


def test_last_used_is_written_at_most_once_a_minute(issued):
    token, full = issued
    assert token.last_used_at is None
    api_auth.user_for_token(full)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None

    recent = timezone.now() - dt.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    api_auth.user_for_token(full)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == recent

    old = timezone.now() - dt.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    api_auth.user_for_token(full)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > old + dt.timedelta(minutes=1)


def test_api_routes_accept_a_token_or_the_session_and_refuse_neither(contributor, issued):
    router = Router()

    @router.get("/whoami", auth=[token_auth, django_auth])
    def whoami(request):
        return {"username": request.user.username}

    client = TestClient(router)
    _, full = issued
    assert client.get("/whoami", headers={"Authorization": f"Bearer {full}"}).json() == {
        "username": "contributor"
    }
    assert client.get("/whoami", user=contributor).json() == {"username": "contributor"}
    assert client.get("/whoami").status_code == 401
    assert client.get("/whoami", headers={"Authorization": "Bearer dmo_nope"}).status_code == 401


def test_only_the_owner_creates_a_token(contributor, submitter):
    with pytest.raises(PermissionDenied):
        api_token_create(by=submitter, user=contributor, name="Not mine to make")
    assert not ApiToken.objects.exists()


def test_a_token_needs_a_name(contributor):
    with pytest.raises(ValidationError):
        api_token_create(by=contributor, user=contributor, name="   ")


def test_creating_and_revoking_are_audited_without_the_secret(contributor, issued):
    token, full = issued
    api_token_revoke(by=contributor, token=token)
    api_token_revoke(by=contributor, token=token)  # a second revoke changes nothing
    records = list(AuditRecord.objects.filter(target_type="accounts.apitoken"))
    assert [r.action for r in records] == ["api_token.created", "api_token.revoked"]
    assert all(r.actor_id == contributor.pk for r in records)
    assert records[0].after["prefix"] == token.prefix
    secret = full.split("_", 2)[2]
    assert all(secret not in str(r.before) + str(r.after) for r in records)


def test_someone_else_cannot_revoke_a_token_but_an_analyst_can(orgs, contributor, issued, analyst):
    token, _ = issued
    stranger = make_user("stranger")
    with pytest.raises(PermissionDenied):
        api_token_revoke(by=stranger, token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    api_token_revoke(by=analyst, token=token)
    revoked = ApiToken.objects.get(pk=token.pk)
    assert revoked.revoked_at is not None and revoked.revoked_by == analyst
