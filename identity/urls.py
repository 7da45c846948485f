from django.urls import path

from .deletion import views as deletion
from .oidc import views as oidc

app_name = "identity"

# Register at each provider: https://<site>/auth/oidc/<provider id>/login/callback/ as the redirect URI
# and https://<site>/auth/logged-out/ as the post-logout redirect URI.
urlpatterns = [
    path("oidc/<str:provider_id>/login/", oidc.login, name="login"),
    path("oidc/<str:provider_id>/login/callback/", oidc.callback, name="callback"),
    path("logged-out/", oidc.logged_out, name="logged_out"),
    path("account/delete/", deletion.delete, name="delete_account"),
]
