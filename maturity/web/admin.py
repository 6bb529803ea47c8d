"""The Django admin, for national analysts only.

``maturity.accounts.apps.ObservatoryAdminConfig`` replaces ``django.contrib.admin`` in
INSTALLED_APPS, so the default
``admin.site`` (what every app's ``@admin.register`` uses, and what maturity/urls.py mounts) is an
:class:`ObservatoryAdminSite`. It admits an active user with an active national-analyst
membership; ``is_staff`` and ``is_superuser`` play no part. Signing in goes through the service's
own throttled sign-in page, not the admin's login form.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

_CACHE_ATTRIBUTE = "_observatory_admin_allowed"


class ObservatoryAdminSite(AdminSite):
    site_header = "Digital Maturity Observatory administration"
    site_title = "Digital Maturity Observatory administration"
    index_title = "Users, roles, cycles and reference data"
    site_url = "/"

    def has_permission(self, request: HttpRequest) -> bool:
        # Asked several times per admin page: remember the answer for this request.
        cached = getattr(request, _CACHE_ATTRIBUTE, None)
        if cached is None:
            from maturity.accounts.permissions import is_national_analyst

            user = request.user
            cached = bool(user.is_active and user.is_authenticated and is_national_analyst(user))
            setattr(request, _CACHE_ATTRIBUTE, cached)
        return cached

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get("next") or index
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = index
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(next_url)
            raise PermissionDenied("The administration pages are for national analysts only.")
        return redirect_to_login(next_url, login_url=settings.LOGIN_URL)
