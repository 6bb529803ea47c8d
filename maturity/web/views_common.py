"""Small pieces every app's views share: role checks as decorators and service errors on forms.

Access is still decided by the selectors and services; these decorators only turn the answer
into the right response (sign in for anonymous visitors, 403 for the signed-in who may not).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def login_required(view: View) -> View:
    """Anonymous visitors are sent to sign in and brought back afterwards."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def role_required(check: Callable[[Any], bool], message: str) -> Callable[[View], View]:
    """Signed-in users for whom ``check(user)`` is false get a 403 saying ``message``."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def add_service_errors(form: Any, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field where the form has one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def form_status(form: Any) -> int:
    """400 for a submitted form with errors, so tests and tools can tell a refusal."""
    return 400 if form.is_bound and form.errors else 200
