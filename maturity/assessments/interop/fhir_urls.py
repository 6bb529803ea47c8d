"""The public FHIR Questionnaires of editions, included under /frameworks-fhir/ (namespace
``fhir``). The path is part of the canonical URL the questionnaires carry: keep it."""

from django.urls import path

from . import views

app_name = "fhir"
urlpatterns = [
    path(
        "<slug:edition_id>/<slug:care_setting>/questionnaire.json",
        views.questionnaire,
        name="questionnaire",
    ),
]
