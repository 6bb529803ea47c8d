"""API authentication: personal bearer tokens.

Routes accept a token or the browser session::

    from ninja.security import django_auth
    from maturity.accounts.api_auth import token_auth

    @router.get("/returns/{pk}", auth=[token_auth, django_auth])

A token reads ``dmo_<prefix>_<secret>``. The prefix (12 hex characters, not secret) finds the row;
only the SHA-256 of the secret is stored, compared with :func:`hmac.compare_digest`. Tokens are
created and revoked by :func:`maturity.accounts.services.api_token_create` and
:func:`~maturity.accounts.services.api_token_revoke`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from .models import ApiToken

TOKEN_MARKER = "dmo_"
PREFIX_LENGTH = 12
# Writing last_used_at on every call would make each API request a write; a minute is enough
# to tell a live token from a forgotten one.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# Compared against when the prefix is unknown, so a miss costs the same hash and compare.
_NO_MATCH_HASH = hashlib.sha256(b"no such token").hexdigest()


def hash_secret(secret: str) -> str:
    # The secret is 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_parts() -> tuple[str, str]:
    """A fresh (prefix, secret) pair."""
    return secrets.token_hex(PREFIX_LENGTH // 2), secrets.token_urlsafe(32)


def format_token(prefix: str, secret: str) -> str:
    return f"{TOKEN_MARKER}{prefix}_{secret}"


def split_token(token: str) -> tuple[str, str] | None:
    """(prefix, secret) from a presented token, or None if it is not shaped like one of ours."""
    token = token.strip()
    if not token.startswith(TOKEN_MARKER):
        return None
    body = token[len(TOKEN_MARKER) :]
    prefix = body[:PREFIX_LENGTH]
    separator = body[PREFIX_LENGTH : PREFIX_LENGTH + 1]
    secret = body[PREFIX_LENGTH + 1 :]
    if separator != "_" or len(prefix) != PREFIX_LENGTH or not secret or len(secret) > 200:
        return None
    return prefix, secret


def user_for_token(token: str) -> Any | None:
    """The active user a presented token belongs to, or None. Records when it was last used."""
    parts = split_token(token)
    if parts is None:
        return None
    prefix, secret = parts
    presented = hash_secret(secret)
    row = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    expected = row.secret_hash if row is not None else _NO_MATCH_HASH
    if not hmac.compare_digest(presented.encode(), expected.encode()) or row is None:
        return None
    if not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional, so concurrent requests with one token write at most once.
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ApiToken.objects.filter(stale, pk=row.pk).update(last_used_at=now)
    return row.user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer dmo_…``. Sets ``request.user`` to the token's owner."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


token_auth = TokenAuth()
