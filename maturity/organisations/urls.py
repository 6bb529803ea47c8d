from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.search, name="search"),
    path("<str:ods_code>/", views.detail, name="detail"),
]
