from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("", views.index, name="index"),
    # Reviewers
    path("assigned/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assigned/<int:pk>/domains/<str:domain_id>/", views.domain_decide, name="decide"),
    path("assigned/<int:pk>/submit/", views.assignment_submit, name="submit"),
    path(
        "assigned/<int:pk>/evidence/<int:evidence_id>/",
        views.evidence_download,
        name="evidence",
    ),
    path("cycles/<int:cycle_id>/calibration/", views.calibration, name="calibration"),
    # Reviewed organisations
    path("returns/<int:return_id>/", views.return_review, name="return"),
    path(
        "returns/<int:return_id>/domains/<str:domain_id>/reply/",
        views.domain_reply,
        name="reply",
    ),
    path("queries/<int:pk>/", views.query_reply, name="query-reply"),
    # Validators
    path("validation/", views.validation_queue, name="validation"),
    path("validation/flags/<int:pk>/", views.flag_decide, name="flag"),
    # National analysts
    path("cycles/<int:cycle_id>/", views.cycle_overview, name="cycle"),
    path("cycles/<int:cycle_id>/matching/", views.matching_run, name="matching-run"),
    path("cycles/<int:cycle_id>/blind-sample/", views.blind_sample, name="blind-sample"),
    path("cycles/<int:cycle_id>/flags/", views.flags_raise, name="flags-raise"),
    path("cycles/<int:cycle_id>/publish-levels/", views.levels_publish, name="publish-levels"),
    path("cycles/<int:cycle_id>/reliability/", views.reliability, name="reliability"),
    path("cycles/<int:cycle_id>/inflation/", views.inflation, name="inflation"),
    path("assignments/<int:pk>/override/", views.assignment_override, name="override"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/<int:pk>/", views.moderation_decide, name="moderate"),
    path("funding-rounds/", views.funding_rounds, name="funding-rounds"),
]
