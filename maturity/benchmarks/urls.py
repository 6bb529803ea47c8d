"""Public benchmark pages, mounted at the site root: /national/, /dashboards/…, /releases/, /methods/."""

from django.urls import path

from . import views

app_name = "benchmarks"
urlpatterns = [
    path("national/", views.national, name="national"),
    path("national/lenses/<slug:slug>/", views.lens, name="lens"),
    path("dashboards/organisations/<str:ods_code>/", views.organisation, name="organisation"),
    path("dashboards/icbs/<str:ods_code>/", views.icb, name="icb"),
    path("dashboards/regions/<str:ods_code>/", views.region, name="region"),
    path("releases/", views.releases, name="releases"),
    path("releases/publish/", views.publish, name="publish"),
    path("releases/<str:dataset>/v<int:version>/", views.release, name="release"),
    path(
        "releases/<str:dataset>/v<int:version>/methods/",
        views.release_methods,
        name="release-methods",
    ),
    path(
        "releases/<str:dataset>/v<int:version>/<str:name>", views.release_file, name="release-file"
    ),
    path("methods/", views.methods, name="methods"),
]
