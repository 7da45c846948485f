"""The tool's fixed addresses, registered in the LMS (outside the language prefix; the admin shows them)."""

from django.urls import path
from lti_tool.views import jwks

from lti.deep_linking import views as deep_linking
from lti.launches import views as launches

app_name = "lti"

urlpatterns = [
    path("login/", launches.login_initiation, name="login"),
    path("login/<uuid:registration_uuid>/", launches.login_initiation, name="login_for"),
    path("launch/", launches.launch, name="launch"),
    path("jwks/", jwks, name="jwks"),
    path("pages/<int:page_id>/", launches.page_link, name="page"),
    path("deep-linking/", deep_linking.pick, name="deep_link"),
]
