from django.contrib import admin
from django.urls import include, path

from maturity.api import api

urlpatterns = [
    path("", include("maturity.web.urls")),
    path("accounts/", include("maturity.accounts.urls")),
    path("organisations/", include("maturity.organisations.urls")),
    path("frameworks/", include("maturity.frameworks.urls")),
    path("commitments/", include("maturity.commitments.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler403 = "maturity.web.views.permission_denied"
handler404 = "maturity.web.views.page_not_found"
handler500 = "maturity.web.views.server_error"
