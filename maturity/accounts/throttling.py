"""Sign-in throttling: too many failed attempts for one username, or from one address, lock
sign-in for a while. Counted in the database so every web worker sees the same attempts.

Per username: LOGIN_FAILURE_LIMIT failures within LOGIN_FAILURE_WINDOW seconds (since the last
successful sign-in) lock that username for LOGIN_LOCKOUT seconds from the last of them.
Per address the same with LOGIN_IP_FAILURE_LIMIT, set higher because an NHS organisation's
staff often share one outgoing address; a successful sign-in does not clear it.
Attempts refused while locked are not counted, so a lock always ends when it says it will.
"""

from __future__ import annotations

import datetime as dt
import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from .models import LoginAttempt


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def normalise_username(username: str) -> str:
    # Lower-cased so changing case does not buy more guesses.
    return (username or "").strip().lower()[:150]


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the address the nearest trusted proxy saw when
    LOGIN_TRUSTED_PROXY_COUNT proxies (which append to X-Forwarded-For) sit in front."""
    proxies = _limit("LOGIN_TRUSTED_PROXY_COUNT", 0)
    candidate = request.META.get("REMOTE_ADDR", "")
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def _locked_until(failures: list[dt.datetime], *, limit: int) -> dt.datetime | None:
    """``failures`` newest first. Locked if the newest ``limit`` fall within the window."""
    if len(failures) < limit:
        return None
    newest, oldest = failures[0], failures[limit - 1]
    window = dt.timedelta(seconds=_limit("LOGIN_FAILURE_WINDOW", 15 * 60))
    if newest - oldest > window:
        return None
    until = newest + dt.timedelta(seconds=_limit("LOGIN_LOCKOUT", 15 * 60))
    return until if until > timezone.now() else None


def locked_until(*, username: str, ip: str | None) -> dt.datetime | None:
    """When sign-in may next be tried for this username from this address, if it is locked now."""
    now = timezone.now()
    horizon = now - dt.timedelta(
        seconds=_limit("LOGIN_FAILURE_WINDOW", 15 * 60) + _limit("LOGIN_LOCKOUT", 15 * 60)
    )
    ends: list[dt.datetime] = []

    name = normalise_username(username)
    if name:
        limit = _limit("LOGIN_FAILURE_LIMIT", 5)
        recent = LoginAttempt.objects.filter(username=name, attempted_at__gte=horizon)
        last_success = (
            recent.filter(succeeded=True)
            .order_by("-attempted_at")
            .values_list("attempted_at", flat=True)
            .first()
        )
        failures = recent.filter(succeeded=False)
        if last_success is not None:
            failures = failures.filter(attempted_at__gt=last_success)
        times = list(
            failures.order_by("-attempted_at").values_list("attempted_at", flat=True)[:limit]
        )
        if (until := _locked_until(times, limit=limit)) is not None:
            ends.append(until)

    if ip:
        limit = _limit("LOGIN_IP_FAILURE_LIMIT", 50)
        times = list(
            LoginAttempt.objects.filter(ip_address=ip, succeeded=False, attempted_at__gte=horizon)
            .order_by("-attempted_at")
            .values_list("attempted_at", flat=True)[:limit]
        )
        if (until := _locked_until(times, limit=limit)) is not None:
            ends.append(until)

    return max(ends) if ends else None


def record_attempt(*, username: str, ip: str | None, succeeded: bool) -> LoginAttempt:
    return LoginAttempt.objects.create(
        username=normalise_username(username),
        ip_address=ip,
        attempted_at=timezone.now(),
        succeeded=succeeded,
    )


def prune_attempts(*, older_than: dt.timedelta = dt.timedelta(days=90)) -> int:
    """Delete attempts older than ``older_than`` (they no longer affect any lock)."""
    deleted, _ = LoginAttempt.objects.filter(attempted_at__lt=timezone.now() - older_than).delete()
    return deleted
