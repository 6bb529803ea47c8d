from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "maturity.accounts"
    label = "accounts"


class ObservatoryAdminConfig(admin_apps.AdminConfig):
    """Installed in place of ``django.contrib.admin``: the default ``admin.site`` becomes the
    analysts-only site (lives here because maturity/web/admin.py cannot be imported while apps
    load)."""

    default = False
    default_site = "maturity.web.admin.ObservatoryAdminSite"
