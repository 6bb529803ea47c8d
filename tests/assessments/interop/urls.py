"""The site's URLs, plus the interop routes until the lead includes them in maturity/urls.py."""

from django.urls import include, path

from maturity import urls as site

handler404 = site.handler404
handler500 = site.handler500

_namespaces = {getattr(p, "namespace", None) for p in site.urlpatterns}
urlpatterns = list(site.urlpatterns)
if "interop" not in _namespaces:
    urlpatterns.append(path("returns/", include("maturity.assessments.interop.urls")))
if "fhir" not in _namespaces:
    urlpatterns.append(path("frameworks-fhir/", include("maturity.assessments.interop.fhir_urls")))
