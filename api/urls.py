"""/api/: version 1 of the REST API (ninja), and the organisation page's token revocation."""

from django.urls import path, re_path

from api.tokens import views as token_views
from api.v1.api import api as api_v1
from api.v1.views import unknown_path

app_name = "api"
urlpatterns = [
    path("v1/", api_v1.urls),
    re_path(r"^v1/", unknown_path),  # anything else under v1 answers with the API's error body
    path("tokens/<int:pk>/revoke/", token_views.revoke, name="revoke-token"),
]
