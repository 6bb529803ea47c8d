"""Sign-in, sign-out, your account, API tokens and the People pages.

People pages: national analysts manage any organisation; a submitter manages contributors and
submitters of their own organisation. Another organisation's page is a 404 (never a hint that it
exists to someone who cannot manage it); the People index is a 403 for everyone else.
"""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlencode

import requests
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from maturity.organisations.models import Organisation

from . import oidc, permissions, selectors, services, throttling
from .forms import ApiTokenForm, FindOrganisationForm, GrantForm, SignInForm, clock_time
from .models import ApiToken, Membership

logger = logging.getLogger(__name__)


class SignInView(LoginView):
    template_name = "accounts/sign_in.jinja"
    authentication_form = SignInForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if oidc.enabled():
            next_url = context.get("next") or self.request.GET.get("next") or ""
            query = f"?{urlencode({'next': next_url})}" if next_url else ""
            context["oidc_sign_in"] = {
                "name": oidc.provider_name(),
                "href": reverse("accounts:oidc-start") + query,
            }
        return context


# --- OpenID Connect (maturity/accounts/oidc.py) --------------------------------------------------


def _locked_message(until: dt.datetime) -> str:
    # Rounded up to the minute, as on the password form, so it is never too early.
    shown = (until + dt.timedelta(seconds=59)).replace(second=0, microsecond=0)
    return SignInForm.error_messages["locked"] % {"until": clock_time(shown)}


class OidcStartView(OIDCAuthenticationRequestView):
    """Sends the person to the provider with a fresh state, nonce and PKCE challenge."""

    def __init__(self, **kwargs) -> None:
        # The library reads the endpoints here; they may need discovery, so get() does it.
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not oidc.enabled():
            raise Http404("OpenID Connect sign-in is not configured.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            op = oidc.provider()
        except oidc.DiscoveryError as error:
            logger.warning("OpenID Connect sign-in unavailable: %s", error)
            messages.error(
                request,
                f"Sign in with {oidc.provider_name()} is not available at the moment. "
                "Try again later.",
            )
            return redirect("accounts:sign-in")
        self.OIDC_OP_AUTH_ENDPOINT = op.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        return super().get(request)


class OidcCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the person back. The library checks the state and nonce and
    signs in; here: the sign-in throttle, and every refusal shown on the sign-in page."""

    ip: str | None = None

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not oidc.enabled():
            raise Http404("OpenID Connect sign-in is not configured.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        self.ip = throttling.client_ip(request)
        until = throttling.locked_until(username="", ip=self.ip)
        if until is not None:
            return self._refuse(_locked_message(until))
        try:
            return super().get(request)
        except (SuspiciousOperation, requests.RequestException, oidc.DiscoveryError) as error:
            # A wrong state, a token that fails a check, or the provider unreachable.
            logger.warning("OpenID Connect sign-in refused: %s", error)
            return self.login_failure()

    def _refuse(self, message: str) -> HttpResponse:
        messages.error(self.request, message)
        return redirect("accounts:sign-in")

    def login_failure(self) -> HttpResponse:
        user = getattr(self, "user", None)
        if user is not None and not user.is_active:
            message = "This account has been deactivated."
        else:
            message = f"Sign in with {oidc.provider_name()} did not work. Try again."
        # A refusal the provider reports (the person cancelled, say) is not a guess to count.
        if "error" not in self.request.GET:
            throttling.record_attempt(
                username=user.get_username() if user is not None else "",
                ip=self.ip,
                succeeded=False,
            )
        return self._refuse(message)

    def login_success(self) -> HttpResponse:
        username = self.user.get_username()
        until = throttling.locked_until(username=username, ip=self.ip)
        if until is not None:
            return self._refuse(_locked_message(until))
        throttling.record_attempt(username=username, ip=self.ip, succeeded=True)
        return super().login_success()


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
