"""OpenID Connect sign-in (NHS CIS2-compatible) on mozilla-django-oidc: the authorisation code
flow with state, nonce and PKCE (S256). Off unless OIDC_RP_CLIENT_ID is set (settings.py).

What this adds to the library: endpoints from the issuer's discovery document when they are not
configured; the ID token's ``iss``, ``aud``, ``exp`` and ``iat`` checked with its signature;
userinfo's ``sub`` checked against the ID token's; and people matched by (issuer, subject),
never by email, through :func:`services.oidc_user_for_sign_in` (new accounts get no role).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

logger = logging.getLogger(__name__)

# A provider's discovery document is read at most this often per process.
DISCOVERY_TTL_SECONDS = 60 * 60
# Allowed difference between our clock and the provider's when checking exp and iat.
CLOCK_SKEW_SECONDS = 60


class DiscoveryError(Exception):
    """The issuer's discovery document could not be read or does not describe that issuer."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str


def enabled() -> bool:
    # Read per request, so tests (and a settings override) switch it without reloading URLs.
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def provider_name() -> str:
    return getattr(settings, "OIDC_PROVIDER_NAME", "") or "NHS Care Identity Service 2"


_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_discovery_lock = threading.Lock()


def clear_discovery_cache() -> None:
    with _discovery_lock:
        _discovered.clear()


def _discover(issuer: str) -> dict[str, Any]:
    with _discovery_lock:
        cached = _discovered.get(issuer)
        if cached is not None and time.monotonic() - cached[0] < DISCOVERY_TTL_SECONDS:
            return cached[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise DiscoveryError(f"Could not read {url}: {error}") from error
    # OIDC Discovery §4.3: the document must name exactly the issuer it was fetched for.
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        raise DiscoveryError(f"{url} does not describe the issuer {issuer!r}.")
    with _discovery_lock:
        _discovered[issuer] = (time.monotonic(), document)
    return document


def provider() -> Provider:
    """The configured provider's endpoints; any not set are read from its discovery document."""
    issuer = settings.OIDC_OP_ISSUER
    configured = {
        "authorization_endpoint": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.OIDC_OP_TOKEN_ENDPOINT,
        "userinfo_endpoint": settings.OIDC_OP_USER_ENDPOINT,
        "jwks_uri": settings.OIDC_OP_JWKS_ENDPOINT,
    }
    if not all(configured.values()):
        document = _discover(issuer)
        for name, value in configured.items():
            if not value:
                configured[name] = str(document.get(name) or "")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not configured[name]:
            raise DiscoveryError(f"The provider {issuer!r} has no {name}.")
    return Provider(issuer=issuer, **configured)


class OidcBackend(OIDCAuthenticationBackend):
    """Authenticates the callback of the authorisation code flow; answers nothing else."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library reads every endpoint here; Django builds backends for each password sign-in
        # too, so endpoints are resolved (perhaps discovered) only in authenticate().
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.issuer = settings.OIDC_OP_ISSUER

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        # Only the callback view passes the nonce it stored: a password sign-in (even one posted
        # with ?code=&state=) never reaches the provider.
        if request is None or not kwargs.get("nonce") or not enabled():
            return None
        op = provider()
        self.issuer = op.issuer
        self.OIDC_OP_TOKEN_ENDPOINT = op.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = op.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = op.jwks_uri
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: Any, **kwargs: Any) -> dict[str, Any]:
        # Refuse the wrong algorithm (or "none") before looking for a key to check it with.
        try:
            alg = jwt.get_unverified_header(token).get("alg")
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"Unreadable token: {error}") from error
        if alg != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"Token signed with {alg!r}, not {self.OIDC_RP_SIGN_ALGO}.")
        return super().verify_token(token, **kwargs)

    def retrieve_matching_jwk(self, token: Any) -> jwt.PyJWK:
        # As the library's, but a key or token without "kid" is refused, not a KeyError.
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        try:
            keys = response.json().get("keys", [])
        except (ValueError, AttributeError) as error:
            raise SuspiciousOperation("The provider's JWKS is not a key set.") from error
        header = jwt.get_unverified_header(token)
        candidates = [
            key
            for key in keys
            if isinstance(key, dict)
            and key.get("use", "sig") == "sig"
            and key.get("alg", header["alg"]) == header["alg"]
            and (header.get("kid") is None or key.get("kid") == header["kid"])
        ]
        if len(candidates) != 1:
            raise SuspiciousOperation("No single key in the provider's JWKS matches the token.")
        try:
            return jwt.PyJWK(candidates[0])
        except jwt.PyJWKError as error:
            raise SuspiciousOperation(f"Unusable key in the provider's JWKS: {error}") from error

    def _verify_jws(self, payload: Any, key: Any) -> dict[str, Any]:
        # The library checks the signature and nonce but not the audience or issuer.
        try:
            alg = jwt.get_unverified_header(payload).get("alg")
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"Unreadable ID token: {error}") from error
        if alg != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"ID token signed with {alg!r}, not {self.OIDC_RP_SIGN_ALGO}."
            )
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from error
        # OIDC Core §3.1.3.7: with several audiences, we must be the authorised party.
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token has several audiences and another azp.")
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> Any:
        from . import services

        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = self.get_userinfo(access_token, id_token, payload)
            # OIDC Core §5.3.2: userinfo about anyone else must not be used.
            if not isinstance(userinfo, dict) or userinfo.get("sub") != payload["sub"]:
                raise SuspiciousOperation("Userinfo is about a different subject.")
            claims.update(userinfo)
        return services.oidc_user_for_sign_in(
            issuer=payload["iss"], subject=str(payload["sub"]), claims=claims
        )

    def get_user(self, user_id: Any) -> Any:
        # Django's check rather than the library's: a deactivated account's session ends.
        return ModelBackend.get_user(self, user_id)
