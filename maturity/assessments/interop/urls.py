"""A return's exports and import, included under /returns/ (namespace ``interop``)."""

from django.urls import path

from . import views

app_name = "interop"
urlpatterns = [
    path("<int:pk>/export.csv", views.export_csv, name="export-csv"),
    path("<int:pk>/export.pdf", views.export_pdf, name="export-pdf"),
    path(
        "<int:pk>/fhir/questionnaire-response.json",
        views.questionnaire_response,
        name="questionnaire-response",
    ),
    path("<int:pk>/import/", views.import_answers, name="import"),
]
