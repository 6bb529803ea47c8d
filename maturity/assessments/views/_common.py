"""What every assessment view shares: sign-in, the 403 page, loading a return through the
signed-in user's visibility (another organisation's return is a 404), and the edition."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from maturity.core.framework import Edition
from maturity.frameworks.selectors import get_edition

from .. import presenters, selectors
from ..models import Return

View = Callable[..., HttpResponse]


def forbidden(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(
        request,
        "assessments/403.jinja",
        {"message": message or "You do not have permission to do this."},
        status=403,
    )


def signed_in(view: View) -> View:
    """Anonymous visitors go to sign in; a refusal by a check or a service is a 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as refusal:
            return forbidden(request, str(refusal))

    return wrapper


def load_return(request: HttpRequest, pk: int) -> Return:
    """The return if the signed-in user may see it; Http404 otherwise (never a 403)."""
    return selectors.get_return_for(request.user, pk)


def edition_of(return_: Return) -> Edition:
    return get_edition(return_.cycle.edition.edition_id)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def bound(request: HttpRequest) -> tuple:
    """Form arguments: bound to the submitted data on POST, unbound on GET."""
    return (request.POST,) if request.method == "POST" else ()


def return_context(request: HttpRequest, return_: Return) -> dict[str, Any]:
    """What the return's pages show in their caption and use to decide which links to offer."""
    status_text, status_colour = presenters.return_status(return_)
    return {
        "r": return_,
        "p": presenters,
        "status_text": status_text,
        "status_colour": status_colour,
        "setting_label": presenters.care_setting_label(return_.care_setting),
        "editable": selectors.can_edit(request.user, return_),
        "may_commit": selectors.can_commit(request.user, return_),
        "may_unlock": selectors.can_unlock(request.user),
    }
