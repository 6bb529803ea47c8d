"""Return pages under /returns/ (namespace "assessments") and cycle pages under /cycles/
(namespace "cycles": maturity/urls.py includes ``cycle_urlpatterns``)."""

from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.overview, name="return"),
    path("<int:pk>/context/", views.context_questions, name="context"),
    path("<int:pk>/domains/<str:domain_id>/", views.domain_page, name="domain"),
    path(
        "<int:pk>/domains/<str:domain_id>/evidence/file/", views.evidence_file, name="evidence-file"
    ),
    path(
        "<int:pk>/domains/<str:domain_id>/evidence/link/", views.evidence_link, name="evidence-link"
    ),
    path("<int:pk>/domains/<str:domain_id>/comments/", views.comment_add, name="comment"),
    path("<int:pk>/domains/<str:domain_id>/assign/", views.assign, name="assign"),
    path("<int:pk>/domains/<str:domain_id>/confirm/", views.copied_confirm, name="confirm"),
    path("<int:pk>/items/<str:item_id>/", views.item_save, name="item"),
    path("<int:pk>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence-download"),
    path(
        "<int:pk>/evidence/<int:evidence_id>/remove/",
        views.evidence_remove,
        name="evidence-remove",
    ),
    path(
        "<int:pk>/comments/<int:comment_id>/resolve/",
        views.comment_resolve,
        name="comment-resolve",
    ),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
    path("<int:pk>/commit/", views.commit, name="commit"),
    path("<int:pk>/unlock/", views.unlock, name="unlock"),
    path("<int:pk>/copy/", views.copy_previous, name="copy"),
    path("<int:pk>/audit/", views.audit, name="audit"),
    path("<int:pk>/reply/", views.reply, name="reply"),
]

cycle_urlpatterns = [
    path("", views.cycle_list, name="index"),
    path("new/", views.cycle_new, name="new"),
    path("<int:pk>/", views.cycle_detail, name="detail"),
    path("<int:pk>/scope/", views.cycle_scope, name="scope"),
    path("<int:pk>/completion/", views.completion, name="completion"),
    path("<int:pk>/close/", views.cycle_close, name="close"),
    path("<int:pk>/reopen/", views.cycle_reopen, name="reopen"),
    path("<int:pk>/release/", views.cycle_release, name="release"),
    path(
        "<int:pk>/organisations/<str:ods_code>/",
        views.organisation_release,
        name="organisation-release",
    ),
]
