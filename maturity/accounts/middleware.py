from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

LAST_ACTIVITY_KEY = "last_activity"
# Saving the session on every request would be a database write per page; a minute's
# precision on a 30-minute timeout is plenty.
TOUCH_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    """Signs a session out after SESSION_IDLE_TIMEOUT seconds without a request.

    The request then carries on signed out: public pages show the message, pages that need
    sign-in send the person to sign in (where the message is shown), the API answers 401.
    SESSION_COOKIE_AGE still caps a session's total length.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            timeout = int(settings.SESSION_IDLE_TIMEOUT)
            if isinstance(last, int) and now - last > timeout:
                logout(request)
                minutes = max(1, round(timeout / 60))
                messages.info(
                    request,
                    f"You have been signed out because you were inactive for {minutes} "
                    f"minute{'s' if minutes != 1 else ''}. Sign in again to continue.",
                )
            elif not isinstance(last, int) or now - last >= TOUCH_EVERY_SECONDS:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)
