from django.urls import path

from . import views

app_name = "support"
urlpatterns = [
    path("", views.index, name="index"),
    path("needs/", views.needs_index, name="needs"),
    path("needs/<str:ods_code>/", views.needs_area, name="needs-area"),
    path("case-studies/", views.case_study_search, name="case-studies"),
    path("case-studies/mine/", views.case_study_mine, name="case-studies-mine"),
    path("case-studies/review/", views.case_study_queue, name="case-study-queue"),
    path("case-studies/new/", views.case_study_new, name="case-study-new"),
    path("case-studies/<slug:slug>/", views.case_study_detail, name="case-study"),
    path("case-studies/<slug:slug>/edit/", views.case_study_edit, name="case-study-edit"),
    path("case-studies/<slug:slug>/submit/", views.case_study_submit, name="case-study-submit"),
    path("case-studies/<slug:slug>/review/", views.case_study_review, name="case-study-review"),
    path(
        "case-studies/<slug:slug>/withdraw/", views.case_study_withdraw, name="case-study-withdraw"
    ),
    path("communities/", views.communities, name="communities"),
    path("communities/<slug:pillar>/", views.community, name="community"),
    path("communities/<slug:pillar>/join/", views.community_join, name="community-join"),
    path("communities/<slug:pillar>/leave/", views.community_leave, name="community-leave"),
    path("organisations/<str:ods_code>/", views.organisation_support, name="organisation"),
    path("organisations/<str:ods_code>/contact/", views.contact_edit, name="contact"),
    path(
        "organisations/<str:ods_code>/contact/withdraw/",
        views.contact_withdraw,
        name="contact-withdraw",
    ),
    path("programmes/", views.programme_list, name="programmes"),
    path("programmes/new/", views.programme_new, name="programme-new"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme-edit"),
    path("programmes/<int:pk>/scenarios/new/", views.scenario_new, name="scenario-new"),
    path("programmes/<int:pk>/compare/", views.scenario_compare, name="compare"),
    path("programmes/<int:pk>/awards/new/", views.award_new, name="award-new"),
    path("programmes/<int:pk>/investment/", views.investment, name="investment"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario"),
    path("scenarios/<int:pk>/edit/", views.scenario_edit, name="scenario-edit"),
    path("scenarios/<int:pk>/solve/", views.scenario_solve, name="scenario-solve"),
    path("scenarios/<int:pk>/allocation.csv", views.scenario_csv, name="scenario-csv"),
    path("scenarios/<int:pk>/report.pdf", views.scenario_pdf, name="scenario-pdf"),
]
