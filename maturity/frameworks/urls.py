from django.urls import path

from . import views

app_name = "frameworks"
urlpatterns = [
    path("", views.index, name="index"),
    # Before the edition pattern, so "diff" is never read as an edition id.
    path("diff/", views.diff, name="diff"),
    path("<slug:edition_id>/", views.edition_detail, name="edition"),
    path("<slug:edition_id>/questions/", views.questions, name="questions"),
    path("<slug:edition_id>/domains/<str:domain_id>/", views.domain_detail, name="domain"),
]
