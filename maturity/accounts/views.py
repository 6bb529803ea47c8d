"""Sign-in, sign-out, your account, API tokens and the People pages.

People pages: national analysts manage any organisation; a submitter manages contributors and
submitters of their own organisation. Another organisation's page is a 404 (never a hint that it
exists to someone who cannot manage it); the People index is a 403 for everyone else.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from maturity.organisations.models import Organisation

from . import permissions, selectors, services
from .forms import ApiTokenForm, FindOrganisationForm, GrantForm, SignInForm
from .models import ApiToken, Membership


class SignInView(LoginView):
    template_name = "accounts/sign_in.jinja"
    authentication_form = SignInForm


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("/")


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_safe
@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/account.jinja",
        {
            "memberships": selectors.memberships_of(request.user),
            "can_use_people": permissions.can_use_people_pages(request.user),
            "is_analyst": permissions.is_national_analyst(request.user),
        },
    )


# --- API tokens ----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    created: tuple[ApiToken, str] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.api_token_create(
                by=request.user, user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            form = ApiTokenForm()
    response = render(
        request,
        "accounts/api_tokens.jinja",
        {
            "form": form,
            "created": created,
            "tokens": selectors.api_tokens_of(request.user),
        },
        status=400 if form.errors else 200,
    )
    # The page can show a secret once: never cached, anywhere (no-store included).
    add_never_cache_headers(response)
    return response


@require_POST
@login_required
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(by=request.user, token=token)
    messages.success(
        request, f"Token ‘{token.name}’ revoked. Programs using it can no longer sign in."
    )
    return redirect("accounts:api-tokens")


# --- People --------------------------------------------------------------------------------------


@require_safe
@login_required
def people(request: HttpRequest) -> HttpResponse:
    if not permissions.can_use_people_pages(request.user):
        raise PermissionDenied("Only national analysts and submitters manage people.")
    form = FindOrganisationForm(request.GET if "ods_code" in request.GET else None)
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["ods_code"].strip().upper()
        organisation = Organisation.objects.filter(ods_code=code).first()
        if organisation is not None and permissions.can_manage_people(request.user, organisation):
            return redirect("accounts:people-organisation", organisation.ods_code)
        form.add_error("ods_code", f"No organisation you can manage has the ODS code {code}")
    page = Paginator(selectors.organisations_managed_by(request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/people.jinja",
        {
            "form": form,
            "page": page,
            "is_analyst": permissions.is_national_analyst(request.user),
        },
        status=400 if form.errors else 200,
    )


def _managed_organisation(request: HttpRequest, ods_code: str) -> Organisation:
    organisation = Organisation.objects.filter(ods_code=ods_code).first()
    if organisation is None or not permissions.can_manage_people(request.user, organisation):
        raise Http404("No organisation you can manage has that code.")
    return organisation


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def people_organisation(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = _managed_organisation(request, ods_code)
    roles = permissions.grantable_roles(request.user, organisation)
    form = GrantForm(request.POST if request.method == "POST" else None, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.membership_grant(
                by=request.user,
                user=form.cleaned_data["person"],
                organisation=organisation,
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                f"{membership.user.get_username()} is now {membership.get_role_display().lower()}"
                f" at {organisation.name}.",
            )
            return redirect("accounts:people-organisation", organisation.ods_code)
    return render(
        request,
        "accounts/people_organisation.jinja",
        {
            "organisation": organisation,
            "form": form,
            "memberships": selectors.memberships_in(organisation),
            "revocable": {r.value for r in roles},
        },
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def people_revoke(request: HttpRequest, ods_code: str, pk: int) -> HttpResponse:
    organisation = _managed_organisation(request, ods_code)
    membership = get_object_or_404(
        Membership.objects.active().select_related("user"), pk=pk, organisation=organisation
    )
    services.membership_revoke(by=request.user, membership=membership)
    messages.success(
        request,
        f"{membership.user.get_username()} is no longer "
        f"{membership.get_role_display().lower()} at {organisation.name}.",
    )
    return redirect(reverse("accounts:people-organisation", args=[organisation.ods_code]))
