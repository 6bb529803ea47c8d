from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    # OpenID Connect: 404 unless configured (maturity/accounts/oidc.py).
    path("oidc/start/", views.OidcStartView.as_view(), name="oidc-start"),
    path("oidc/callback/", views.OidcCallbackView.as_view(), name="oidc-callback"),
    path("", views.account, name="account"),
    path("api-tokens/", views.api_tokens, name="api-tokens"),
    path("api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("people/", views.people, name="people"),
    path("people/<str:ods_code>/", views.people_organisation, name="people-organisation"),
    path(
        "people/<str:ods_code>/memberships/<int:pk>/revoke/",
        views.people_revoke,
        name="people-revoke",
    ),
]
