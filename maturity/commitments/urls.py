from django.urls import path

from . import views

app_name = "commitments"
urlpatterns = [
    path("", views.index, name="index"),
    path("summary/", views.summary, name="summary"),
    path("summary.csv", views.summary_csv, name="summary-csv"),
    path("summary.pdf", views.summary_pdf, name="summary-pdf"),
    path("new/", views.commitment_new, name="new"),
    path("import/", views.observations_import, name="import"),
    path("rounds/new/", views.round_new, name="round-new"),
    path("rounds/<int:pk>/close/", views.round_close, name="round-close"),
    path("rounds/<int:pk>/response/", views.round_response_new, name="round-response"),
    path(
        "evaluations/<int:pk>/response/",
        views.evaluation_response_new,
        name="evaluation-response",
    ),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/edit/", views.commitment_edit, name="edit"),
    path("<slug:slug>/deadlines/new/", views.deadline_new, name="deadline-new"),
    path("<slug:slug>/metrics/new/", views.metric_new, name="metric-new"),
    path("<slug:slug>/metrics/<slug:metric_slug>/edit/", views.metric_edit, name="metric-edit"),
    path(
        "<slug:slug>/metrics/<slug:metric_slug>/observations/new/",
        views.observation_new,
        name="observation-new",
    ),
    path("<slug:slug>/rounds/<int:round_pk>/evaluate/", views.evaluate, name="evaluate"),
]
