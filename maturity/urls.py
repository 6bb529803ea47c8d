from django.contrib import admin
from django.urls import include, path

from maturity.api import api
from maturity.assessments.urls import cycle_urlpatterns

urlpatterns = [
    path("", include("maturity.web.urls")),
    path("accounts/", include("maturity.accounts.urls")),
    path("organisations/", include("maturity.organisations.urls")),
    path("frameworks/", include("maturity.frameworks.urls")),
    path("", include("maturity.benchmarks.urls")),
    path("commitments/", include("maturity.commitments.urls")),
    path("reviews/", include("maturity.reviews.urls")),
    path("returns/", include("maturity.assessments.urls")),
    path("cycles/", include((cycle_urlpatterns, "cycles"))),
    path("support/", include("maturity.support.urls")),
    path("api/v1/", api.urls),
    path("returns/", include("maturity.assessments.interop.urls")),
    path("frameworks-fhir/", include("maturity.assessments.interop.fhir_urls")),
    path("admin/", admin.site.urls),
]

handler403 = "maturity.web.views.permission_denied"
handler404 = "maturity.web.views.page_not_found"
handler500 = "maturity.web.views.server_error"
