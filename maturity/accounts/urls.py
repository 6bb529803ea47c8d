from django.contrib.auth import views as auth_views
from django.urls import path

app_name = "accounts"
urlpatterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(template_name="accounts/sign_in.jinja"),
        name="sign-in",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(next_page="/"), name="sign-out"),
]
