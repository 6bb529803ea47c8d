"""OpenID Connect sign-in (NHS CIS2-compatible): off unless configured; with a configuration,
the provider's token, userinfo, JWKS and discovery HTTP calls are answered by a fake provider
holding an RSA key made here (no network)."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.hashers import is_password_usable
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from maturity.accounts import oidc
from maturity.accounts.middleware import LAST_ACTIVITY_KEY
from maturity.accounts.models import LoginAttempt, Membership, OidcIdentity, Role, User
from maturity.accounts.services import membership_grant, oidc_identity_link
from maturity.audit.models import AuditRecord

from .conftest import PASSWORD, make_user

ISSUER = "https://cis2.example.test/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare"
CLIENT_ID = "observatory-client"
AUTHORIZE = "https://cis2.example.test/authorize"
TOKEN = "https://cis2.example.test/access_token"
USERINFO = "https://cis2.example.test/userinfo"
JWKS = "https://cis2.example.test/connect/jwk_uri"
DISCOVERY = f"{ISSUER}/.well-known/openid-configuration"
START = "/accounts/oidc/start/"
CALLBACK = "/accounts/oidc/callback/"
SIGN_IN = "/accounts/sign-in/"
BUTTON = "Sign in with NHS Care Identity Service 2"


class FakeResponse:
    def __init__(self, url: str, body: Any, status: int = 200) -> None:
        self.url, self._body, self.status_code = url, body, status
        self.headers = {"content-type": "application/json"}
        self.text = str(body)

    def json(self) -> Any:
        return self._body

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise requests.HTTPError(f"{self.status_code} for {self.url}", response=self)


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


# One key for the module: making RSA keys is the slow part.
SIGNING_KEY = _new_key()
OTHER_KEY = _new_key()


class FakeProvider:
    """Answers requests.get / requests.post as the provider would; each test adjusts claims."""

    def __init__(self) -> None:
        self.sub = "555000111222"
        self.claims: dict[str, Any] = {}
        self.userinfo: dict[str, Any] = {}
        self.signing_key = SIGNING_KEY
        self.nonce: str | None = None  # what the provider puts in the ID token
        self.code_challenge: str | None = None
        self.calls: list[str] = []
        self.discovery: dict[str, Any] = {
            "issuer": ISSUER,
            "authorization_endpoint": AUTHORIZE,
            "token_endpoint": TOKEN,
            "userinfo_endpoint": USERINFO,
            "jwks_uri": JWKS,
        }

    def id_token(self) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": self.sub,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce,
            **self.claims,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": "k1"})

    def get(self, url: str, **kwargs: Any) -> FakeResponse:
        self.calls.append(url)
        if url == JWKS:
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(SIGNING_KEY.public_key(), as_dict=True)
            return FakeResponse(url, {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]})
        if url == USERINFO:
            assert kwargs["headers"]["Authorization"] == "Bearer access-token-1"
            body = {
                "sub": self.sub,
                "given_name": "Ada",
                "family_name": "Lovelace",
                "email": "ada.lovelace@nhs.net",
                "nationalrbacaccess": {"nhsid_nrbac_roles": [{"role_code": "S8000:G8000:R8000"}]},
                **self.userinfo,
            }
            return FakeResponse(url, body)
        if url == DISCOVERY:
            return FakeResponse(url, self.discovery)
        return FakeResponse(url, {"error": "not found"}, status=404)

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> FakeResponse:
        self.calls.append(url)
        assert url == TOKEN and data is not None
        assert data["client_id"] == CLIENT_ID and data["client_secret"] == "s3cret"
        assert data["redirect_uri"] == "http://testserver/accounts/oidc/callback/"
        # PKCE: the verifier sent now must match the challenge sent to the authorisation endpoint.
        digest = hashlib.sha256(data["code_verifier"].encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != self.code_challenge:
            return FakeResponse(url, {"error": "invalid_grant"}, status=400)
        if data["code"] != "good-code":
            return FakeResponse(url, {"error": "invalid_grant"}, status=400)
        body = {
            "access_token": "access-token-1",
            "token_type": "Bearer",
            "id_token": self.id_token(),
        }
        return FakeResponse(url, body)


@pytest.fixture
def provider(monkeypatch) -> FakeProvider:
    fake = FakeProvider()
    monkeypatch.setattr(requests, "get", fake.get)
    monkeypatch.setattr(requests, "post", fake.post)
    oidc.clear_discovery_cache()
    yield fake
    oidc.clear_discovery_cache()


@pytest.fixture
def configured(settings, provider) -> FakeProvider:
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "s3cret"
    settings.OIDC_OP_ISSUER = ISSUER
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = AUTHORIZE
    settings.OIDC_OP_TOKEN_ENDPOINT = TOKEN
    settings.OIDC_OP_USER_ENDPOINT = USERINFO
    settings.OIDC_OP_JWKS_ENDPOINT = JWKS
    settings.OIDC_RP_SCOPES = "openid profile email nationalrbacaccess"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "maturity.accounts.oidc.OidcBackend",
    ]
    return provider


def start(client: Client, provider: FakeProvider, next_url: str = "") -> dict[str, str]:
    """Begin sign-in; the provider will answer with the nonce it was given."""
    response = client.get(START + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    location = urlsplit(response.url)
    assert f"{location.scheme}://{location.netloc}{location.path}" == AUTHORIZE
    params = {k: v[0] for k, v in parse_qs(location.query).items()}
    provider.nonce = params["nonce"]
    provider.code_challenge = params["code_challenge"]
    return params


def callback(client: Client, state: str, code: str = "good-code", ip: str = "10.0.0.1"):
    return client.get(CALLBACK, {"code": code, "state": state}, REMOTE_ADDR=ip)


def sign_in(client: Client, provider: FakeProvider, **kwargs):
    return callback(client, start(client, provider)["state"], **kwargs)


def signed_in_user(client: Client) -> User | None:
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def refused(client: Client, response) -> str:
    """Assert a refusal: back to the sign-in page, not signed in, no account made; its message."""
    assert response.status_code == 302 and response.url == SIGN_IN
    assert signed_in_user(client) is None
    return client.get(SIGN_IN).content.decode()


# --- Off unless configured -----------------------------------------------------------------------


def test_without_configuration_the_urls_are_404_and_there_is_no_button(client, db, provider):
    assert client.get(START).status_code == 404
    assert client.get(CALLBACK, {"code": "good-code", "state": "x"}).status_code == 404
    page = client.get(SIGN_IN).content.decode()
    assert "Sign in with" not in page and 'name="username"' in page
    assert provider.calls == []


def test_without_configuration_password_sign_in_is_unchanged(client, contributor, settings):
    assert settings.AUTHENTICATION_BACKENDS == ["maturity.accounts.backends.MembershipBackend"]
    response = client.post(SIGN_IN, {"username": "contributor", "password": PASSWORD})
    assert response.status_code == 302 and signed_in_user(client) == contributor


# --- The sign-in page ----------------------------------------------------------------------------


def test_the_button_is_above_the_password_form_and_carries_next(client, db, configured):
    page = client.get(SIGN_IN + "?next=/returns/").content.decode()
    assert BUTTON in page
    assert 'href="/accounts/oidc/start/?next=%2Freturns%2F"' in page
    assert page.index(BUTTON) < page.index('name="username"')


def test_the_display_name_is_configurable(client, db, configured, settings):
    settings.OIDC_PROVIDER_NAME = "Test Identity"
    assert "Sign in with Test Identity" in client.get(SIGN_IN).content.decode()


def test_the_authorisation_request_has_state_nonce_pkce_and_the_scopes(client, db, configured):
    params = start(client, configured)
    assert params["response_type"] == "code" and params["client_id"] == CLIENT_ID
    assert params["scope"] == "openid profile email nationalrbacaccess"
    assert params["redirect_uri"] == "http://testserver/accounts/oidc/callback/"
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["code_challenge_method"] == "S256"


# --- Round trips ---------------------------------------------------------------------------------


def test_a_new_person_signs_in_with_no_memberships_and_it_is_audited(client, db, configured):
    params = start(client, configured, next_url="/accounts/")
    response = callback(client, params["state"])
    assert response.status_code == 302 and response.url == "/accounts/"

    user = signed_in_user(client)
    assert user is not None and user.username.startswith("oidc-")
    assert (user.first_name, user.last_name, user.email) == (
        "Ada",
        "Lovelace",
        "ada.lovelace@nhs.net",
    )
    assert not is_password_usable(user.password)
    assert not Membership.objects.filter(user=user).exists()  # roles never come from claims
    identity = OidcIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (ISSUER, configured.sub)
    record = AuditRecord.objects.get(action="oidc_identity.created")
    assert record.actor_id is None and record.target_id == str(identity.pk)
    assert record.after == {"user": user.username, "issuer": ISSUER, "subject": configured.sub}
    assert LoginAttempt.objects.get().succeeded
    # With no role they see only public pages.
    assert client.get("/accounts/people/").status_code == 403


def test_a_returning_person_is_matched_by_subject_not_email(client, db, configured):
    sign_in(client, configured)
    first = signed_in_user(client)
    client.post("/accounts/sign-out/")
    # Someone else already has the address the provider now sends: email never decides.
    make_user("someone", email="new.address@nhs.net")
    configured.userinfo = {"email": "new.address@nhs.net"}
    sign_in(client, configured)
    assert signed_in_user(client) == first
    assert OidcIdentity.objects.count() == 1 and User.objects.count() == 2
    assert AuditRecord.objects.filter(action="oidc_identity.created").count() == 1


def test_an_existing_account_is_never_matched_by_email_alone(client, db, configured):
    local = make_user("ada", email="ada.lovelace@nhs.net")
    sign_in(client, configured)
    user = signed_in_user(client)
    assert user is not None and user != local


def test_a_linked_account_signs_in_with_its_roles(client, orgs, analyst, configured):
    person = make_user("ada", orgs=orgs, role=Role.CONTRIBUTOR, ods="RD1")
    identity = oidc_identity_link(by=analyst, user=person, issuer=ISSUER, subject=configured.sub)
    record = AuditRecord.objects.get(action="oidc_identity.linked")
    assert record.actor_id == analyst.pk and record.target_id == str(identity.pk)
    sign_in(client, configured)
    assert signed_in_user(client) == person
    assert not AuditRecord.objects.filter(action="oidc_identity.created").exists()


def test_linking_is_for_national_analysts_and_one_identity_one_account(orgs, submitter, analyst):
    person = make_user("ada")
    with pytest.raises(PermissionDenied):
        oidc_identity_link(by=submitter, user=person, issuer=ISSUER, subject="1")
    oidc_identity_link(by=analyst, user=person, issuer=ISSUER, subject="1")
    oidc_identity_link(by=analyst, user=person, issuer=ISSUER, subject="1")  # no change
    with pytest.raises(ValidationError):
        oidc_identity_link(by=analyst, user=make_user("grace"), issuer=ISSUER, subject="1")
    with pytest.raises(ValidationError):
        oidc_identity_link(by=analyst, user=person, issuer=ISSUER, subject="2")
    assert AuditRecord.objects.filter(action="oidc_identity.linked").count() == 1


def test_the_link_command(db, settings):
    settings.OIDC_OP_ISSUER = ISSUER
    person = make_user("ada")
    call_command("link_oidc", "ada", "555000111222")
    assert OidcIdentity.objects.get(user=person).subject == "555000111222"
    assert AuditRecord.objects.get(action="oidc_identity.linked").actor_id is None


def test_endpoints_come_from_discovery_when_not_configured(client, db, configured, settings):
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = settings.OIDC_OP_TOKEN_ENDPOINT = ""
    settings.OIDC_OP_USER_ENDPOINT = settings.OIDC_OP_JWKS_ENDPOINT = ""
    sign_in(client, configured)
    assert signed_in_user(client) is not None
    assert configured.calls.count(DISCOVERY) == 1  # cached


def test_a_discovery_document_for_another_issuer_is_refused(client, db, configured, settings):
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = ""
    configured.discovery["issuer"] = "https://evil.example.test"
    response = client.get(START)
    assert response.status_code == 302 and response.url == SIGN_IN
    assert "is not available at the moment" in client.get(SIGN_IN).content.decode()


# --- Refusals ------------------------------------------------------------------------------------


def test_a_wrong_state_is_refused(client, db, configured):
    start(client, configured)
    page = refused(client, callback(client, "not-the-state"))
    assert "did not work" in page
    assert TOKEN not in configured.calls and not User.objects.exists()


def test_a_callback_without_starting_is_refused(client, db, configured):
    refused(client, callback(client, "anything"))
    assert TOKEN not in configured.calls


def test_a_state_is_used_once(client, db, configured):
    state = start(client, configured)["state"]
    callback(client, state)
    client.post("/accounts/sign-out/")
    refused(client, callback(client, state))


def test_a_wrong_nonce_is_refused(client, db, configured):
    state = start(client, configured)["state"]
    configured.nonce = "a-nonce-from-another-sign-in"
    refused(client, callback(client, state))
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"aud": "another-client"}, id="wrong audience"),
        pytest.param({"iss": "https://evil.example.test"}, id="wrong issuer"),
        pytest.param(
            {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, id="expired"
        ),
        pytest.param({"exp": None}, id="no expiry"),
        pytest.param({"aud": [CLIENT_ID, "another"], "azp": "another"}, id="another azp"),
    ],
)
def test_an_id_token_failing_a_claim_check_is_refused(client, db, configured, change):
    configured.claims = change
    refused(client, sign_in(client, configured))
    assert not User.objects.exists()


def test_a_bad_signature_is_refused(client, db, configured):
    configured.signing_key = OTHER_KEY  # the JWKS still publishes only the real key
    refused(client, sign_in(client, configured))
    assert not User.objects.exists()


def test_an_unsigned_token_is_refused(client, db, configured, monkeypatch):
    monkeypatch.setattr(
        configured,
        "id_token",
        lambda: jwt.encode(
            {"iss": ISSUER, "aud": CLIENT_ID, "sub": "1", "nonce": configured.nonce},
            None,
            algorithm="none",
        ),
    )
    refused(client, sign_in(client, configured))


def test_userinfo_about_someone_else_is_refused(client, db, configured):
    configured.userinfo = {"sub": "someone-else"}
    refused(client, sign_in(client, configured))
    assert not User.objects.exists()


def test_a_token_endpoint_error_is_refused(client, db, configured):
    refused(client, sign_in(client, configured, code="bad-code"))


def test_a_deactivated_account_is_refused(client, db, configured):
    sign_in(client, configured)
    user = signed_in_user(client)
    client.post("/accounts/sign-out/")
    User.objects.filter(pk=user.pk).update(is_active=False)
    page = refused(client, sign_in(client, configured))
    assert "This account has been deactivated" in page


def test_a_session_ends_when_the_account_is_deactivated(client, db, configured):
    sign_in(client, configured)
    User.objects.update(is_active=False)
    assert client.get("/accounts/").status_code == 302  # sent to sign in


# --- Throttling and idle timeout still apply ------------------------------------------------------


def test_failed_callbacks_count_towards_the_address_lock(client, db, configured, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    for _ in range(3):
        refused(client, callback(client, "forged"))
    assert LoginAttempt.objects.filter(succeeded=False).count() == 3
    page = refused(client, sign_in(client, configured))
    assert "You have entered incorrect details too many times" in page
    assert TOKEN not in configured.calls
    # Another address is not locked.
    assert sign_in(Client(), configured, ip="10.0.0.2").status_code == 302


def test_a_locked_username_is_refused(client, db, configured, settings):
    sign_in(client, configured)
    user = signed_in_user(client)
    client.post("/accounts/sign-out/")
    for _ in range(5):
        LoginAttempt.objects.create(
            username=user.username,
            ip_address="10.9.9.9",
            succeeded=False,
            attempted_at=timezone.now(),
        )
    page = refused(client, sign_in(client, configured))
    assert "too many times" in page


def test_the_idle_timeout_applies(client, db, configured, settings):
    sign_in(client, configured)
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    assert "signed out because you were inactive" in client.get("/").content.decode()
    assert signed_in_user(client) is None


def test_a_password_post_with_code_and_state_never_reaches_the_provider(
    client, contributor, configured
):
    response = client.post(
        SIGN_IN + "?code=good-code&state=x", {"username": "contributor", "password": PASSWORD}
    )
    assert response.status_code == 302 and signed_in_user(client) == contributor
    assert configured.calls == []


def test_the_grant_service_gives_an_oidc_account_its_role(client, orgs, analyst, configured):
    sign_in(client, configured)
    user = signed_in_user(client)
    membership_grant(by=analyst, user=user, organisation=orgs["RD1"], role=Role.CONTRIBUTOR)
    assert AuditRecord.objects.filter(action="membership.granted").exists()
